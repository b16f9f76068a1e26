package io.integrityauditor.cli;

import io.dropwizard.jersey.validation.Validators;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.config.BackupConfig;
import io.integrityauditor.config.DatasetConfig;
import io.integrityauditor.config.EndpointConfig;
import io.integrityauditor.config.TableConfig;
import jakarta.validation.Validator;
import jakarta.validation.ValidatorFactory;
import java.util.concurrent.CompletableFuture;

/**
 * The one-shot {@code audit} command's start-up is single-threaded work on a machine whose other
 * cores idle meanwhile. This thread does, beside the main thread, the parts that do not depend on
 * the configuration file: it builds the validator factory the command validates the file with and
 * that factory's constraint metadata of the configuration classes (the longest part of the start),
 * then loads the JDBC drivers and seeds the random UUIDs. It changes nothing else: no connection,
 * no file, no output.
 */
public final class StartupWarmup {
  private StartupWarmup() {}

  private static volatile CompletableFuture<ValidatorFactory> factory;

  /** At the top of {@code main}, before logging and Dropwizard's bootstrap are set up. */
  public static void begin() {
    CompletableFuture<ValidatorFactory> f = new CompletableFuture<>();
    factory = f;
    Thread t =
        new Thread(
            () -> {
              try {
                ValidatorFactory vf = Validators.newValidatorFactory();
                f.complete(vf);
                Validator v = vf.getValidator();
                // the audit command's own sections (Dropwizard's only when the file sets them)
                vf.usingContext()
                    .traversableResolver(new AuditCommand.SectionsInFile(java.util.Set.of()))
                    .getValidator()
                    .validate(new IntegrityAuditorConfiguration());
                v.getConstraintsForClass(EndpointConfig.class);
                v.getConstraintsForClass(DatasetConfig.class);
                v.getConstraintsForClass(TableConfig.class);
                v.getConstraintsForClass(BackupConfig.class);
                Trace.at("warm-up: validation metadata built");
                for (String driver :
                    new String[] {"org.mariadb.jdbc.Driver", "org.postgresql.Driver"}) {
                  Class.forName(driver, true, StartupWarmup.class.getClassLoader());
                }
                // The audit's id: the first random UUID seeds the JVM's SecureRandom, 10 - 75 ms
                // that the main thread otherwise spends between the configuration and the audit.
                java.util.UUID.randomUUID();
              } catch (Throwable e) {
                // only a warm-up: whatever failed here fails again, and is reported, on the main
                // thread
                f.complete(null);
              }
            },
            "start-up-warm-up");
    t.setDaemon(true);
    t.start();
  }

  /** The validator factory {@link #begin} built, or null when it did not run or failed. */
  public static ValidatorFactory validatorFactory() {
    CompletableFuture<ValidatorFactory> f = factory;
    return f == null ? null : f.join();
  }
}

package io.integrityauditor.cli;

import io.dropwizard.core.cli.Command;
import io.dropwizard.core.setup.Bootstrap;
import net.sourceforge.argparse4j.impl.Arguments;
import net.sourceforge.argparse4j.inf.Namespace;
import net.sourceforge.argparse4j.inf.Subparser;

/** Placeholder replaced below. */
public final class DemoCommand extends Command {
  public DemoCommand() {
    super(
        "demo", "Run on embedded databases with seeded Sidekick-like data and planted divergence");
  }

  @Override
  public void configure(Subparser subparser) {
    subparser.addArgument("--once").action(Arguments.storeTrue()).help("one audit, then exit");
  }

  @Override
  public void run(Bootstrap<?> bootstrap, Namespace namespace) {
    System.exit(2);
  }
}

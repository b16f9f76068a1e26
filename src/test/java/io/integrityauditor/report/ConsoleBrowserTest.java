package io.integrityauditor.report;

import static io.integrityauditor.ServiceConfigFile.ADMIN_TOKEN;
import static org.assertj.core.api.Assertions.assertThat;

import io.dropwizard.testing.junit5.DropwizardAppExtension;
import io.dropwizard.testing.junit5.DropwizardExtensionsSupport;
import io.integrityauditor.IntegrityAuditorApplication;
import io.integrityauditor.IntegrityAuditorConfiguration;
import io.integrityauditor.ServiceConfigFile;
import io.integrityauditor.TestDatabases;
import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The console in a real browser (Debian's headless Chromium, driven by Selenium): paste an admin
 * token, start an audit of a PostgreSQL dataset with planted divergence, watch it finish, read its
 * findings, open the weekly report. Screenshots go to target/screenshots/.
 */
@ExtendWith(DropwizardExtensionsSupport.class)
class ConsoleBrowserTest {
  static final Path DIR = Path.of("target", "console-browser-test");
  static final Path SHOTS = Path.of("target", "screenshots");
  static final int PORT = TestDatabases.PG_PRIMARY_PORT;

  static final DropwizardAppExtension<IntegrityAuditorConfiguration> APP =
      new DropwizardAppExtension<>(IntegrityAuditorApplication.class, config().toString());

  static WebDriver driver;

  static Path config() {
    try {
      WeeklyReportApiTest.deleteTree(DIR);
      TestDatabases.recreatePgDatabase(PORT, "rp_console_primary");
      TestDatabases.recreatePgDatabase(PORT, "rp_console_copy");
      for (String db : new String[] {"rp_console_primary", "rp_console_copy"}) {
        TestDatabases.execute(
            TestDatabases.pgUrl(PORT, db),
            "CREATE TABLE contacts (id bigint PRIMARY KEY, user_id int NOT NULL, email text)",
            "INSERT INTO contacts SELECT g, g % 100, 'u' || g || '@example.org'"
                + " FROM generate_series(1, 5000) g");
      }
      // Planted: rows 105 and 206 missing (users 5 and 6), 408 changed (user 8), 9001 extra.
      TestDatabases.execute(
          TestDatabases.pgUrl(PORT, "rp_console_copy"),
          "DELETE FROM contacts WHERE id IN (105, 206)",
          "UPDATE contacts SET email = 'changed' WHERE id = 408",
          "INSERT INTO contacts VALUES (9001, 1, 'extra')");
      String pg = "jdbc:postgresql://127.0.0.1:" + PORT + "/";
      return ServiceConfigFile.write(
          DIR,
          null,
          "endpoints:\n"
              + "  primary: {url: \""
              + pg
              + "rp_console_primary\", user: postgres}\n"
              + "  copy: {url: \""
              + pg
              + "rp_console_copy\", user: postgres}\n"
              + "  nowhere: {url: \"jdbc:postgresql://127.0.0.1:1/app\", user: postgres}\n"
              + "datasets:\n"
              + "  users:\n"
              + "    primary: primary\n"
              + "    replicas: [copy]\n"
              + "    tables:\n"
              + "      - {name: public.contacts, owner: user_id}\n"
              + "  down:\n"
              + "    primary: nowhere\n"
              + "    replicas: [copy]\n"
              + "    tables:\n"
              + "      - {name: public.contacts, owner: user_id}\n"
              + "report:\n"
              + "  enabled: false\n");
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @BeforeAll
  static void browser() throws Exception {
    Files.createDirectories(SHOTS);
    ChromeOptions options = new ChromeOptions();
    options.setBinary("/usr/bin/chromium");
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1280,1600");
    options.setCapability("goog:loggingPrefs", Map.of(LogType.BROWSER, "ALL"));
    ChromeDriverService service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File("/usr/bin/chromedriver"))
            .usingAnyFreePort()
            .build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void quit() {
    if (driver != null) {
      driver.quit();
    }
  }

  /** Each test signs in afresh: the token a test saved stays in the page's session storage. */
  @org.junit.jupiter.api.BeforeEach
  void signedOut() {
    driver.get("http://127.0.0.1:" + APP.getLocalPort() + "/");
    ((org.openqa.selenium.JavascriptExecutor) driver).executeScript("sessionStorage.clear()");
    driver.navigate().refresh();
  }

  static WebDriverWait waiting(int seconds) {
    return new WebDriverWait(driver, Duration.ofSeconds(seconds));
  }

  static void screenshot(String name) throws Exception {
    File f = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
    Files.copy(f.toPath(), SHOTS.resolve(name), StandardCopyOption.REPLACE_EXISTING);
  }

  @Test
  void anAdminStartsAnAuditSeesItsFindingsAndOpensTheWeeklyReport() throws Exception {
    String base = "http://127.0.0.1:" + APP.getLocalPort();
    driver.get(base + "/");
    WebElement token =
        waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    token.sendKeys(ADMIN_TOKEN);
    driver.findElement(By.id("token-save")).click();
    waiting(10)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(By.id("who"), "dba-team (admin)"));
    assertThat(
            ((org.openqa.selenium.JavascriptExecutor) driver)
                .executeScript("return sessionStorage.getItem('integrityAuditor.token')"))
        .isEqualTo(ADMIN_TOKEN);
    waiting(10)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#datasets tr[data-dataset='users']")));
    assertThat(driver.findElement(By.cssSelector("#datasets tr[data-dataset='users']")).getText())
        .contains("users")
        .contains("copy")
        .contains("never");

    // Start an audit of the dataset.
    assertThat(driver.findElement(By.id("start-section")).isDisplayed()).isTrue();
    new Select(driver.findElement(By.id("start-dataset"))).selectByValue("users");
    driver.findElement(By.id("start-button")).click();
    waiting(120)
        .until(
            d -> {
              String s = d.findElement(By.id("run-status")).getText();
              return List.of("CONSISTENT", "FINDINGS", "FAILED", "CANCELLED").contains(s);
            });
    assertThat(driver.findElement(By.id("run-status")).getText()).isEqualTo("FINDINGS");
    waiting(10)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#run-findings tr.finding")));
    List<String> findings =
        driver.findElements(By.cssSelector("#run-findings tr.finding")).stream()
            .map(
                r -> {
                  List<WebElement> td = r.findElements(By.tagName("td"));
                  return td.get(2).getText()
                      + " "
                      + td.get(3).getText().replace("\u2068", "").replace("\u2069", "")
                      + " user "
                      + td.get(4).getText();
                })
            .toList();
    assertThat(findings)
        .containsExactlyInAnyOrder(
            "MISSING id=105 user 5",
            "MISSING id=206 user 6",
            "CHANGED id=408 user 8",
            "EXTRA id=9001 user 1");
    assertThat(driver.findElement(By.id("run-users-at-risk")).getText())
        .startsWith("Users at risk: 3")
        // each id isolated (review 7 of session 21: a right-to-left override in one id reversed
        // how the others read)
        .contains("\u20685\u2069, \u20686\u2069, \u20688\u2069");
    assertThat(driver.findElements(By.cssSelector("#run-findings tr.finding td.key")))
        .allSatisfy(td -> assertThat(td.getText()).contains("=\u2068").endsWith("\u2069"));
    assertThat(driver.findElement(By.id("run-copies")).getText())
        .contains("public.contacts")
        .contains("copy (REPLICA)");
    // The datasets table follows: last run and users at risk.
    waiting(10)
        .until(
            ExpectedConditions.textToBePresentInElementLocated(
                By.cssSelector("#datasets tr[data-dataset='users']"), "FINDINGS"));
    assertThat(
            driver
                .findElement(By.cssSelector("#datasets tr[data-dataset='users'] td.num"))
                .getText())
        .isEqualTo("3");
    screenshot("console-audit.png");

    // The weekly report, generated on demand, in its sandboxed frame.
    driver.findElement(By.id("report-latest")).click();
    WebElement frame =
        waiting(30).until(ExpectedConditions.visibilityOfElementLocated(By.id("report-frame")));
    ((org.openqa.selenium.JavascriptExecutor) driver)
        .executeScript("arguments[0].scrollIntoView()", frame);
    waiting(10).until(ExpectedConditions.frameToBeAvailableAndSwitchToIt(By.id("report-frame")));
    waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.tagName("svg")));
    String report = driver.findElement(By.tagName("body")).getText();
    assertThat(report)
        .contains("Integrity Auditor weekly report")
        .contains("Dataset users")
        .contains("id=105");
    assertThat(driver.findElements(By.tagName("svg"))).hasSizeGreaterThanOrEqualTo(3);
    driver.switchTo().defaultContent();
    screenshot("console-weekly-report.png");
    assertThat(driver.findElements(By.cssSelector("#report-list li"))).isNotEmpty();

    // No script error and no blocked resource (CSP) in the console; a favicon 404 is no error of
    // ours.
    List<LogEntry> severe =
        driver.manage().logs().get(LogType.BROWSER).getAll().stream()
            .filter(e -> e.getLevel().intValue() >= java.util.logging.Level.SEVERE.intValue())
            .filter(e -> !e.getMessage().contains("favicon.ico"))
            .toList();
    assertThat(severe).as(severe.toString()).isEmpty();

    // The report page alone, full height, as a reader of the mail or the download sees it.
    HttpResponse<String> html =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(base + "/api/reports/weekly/latest"))
                    .header("Authorization", "Bearer " + ADMIN_TOKEN)
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    Path page = SHOTS.resolve("weekly-report.html").toAbsolutePath();
    Files.writeString(page, html.body());
    driver.manage().window().setSize(new org.openqa.selenium.Dimension(1100, 3200));
    driver.get(page.toUri().toString());
    waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.tagName("svg")));
    screenshot("weekly-report.png");
  }

  /**
   * A run that could not compare any copy shows its users at risk as unknown, as the CLI prints
   * them. Regression (review of session 19): the console showed "Users at risk: 0".
   */
  @Test
  void aRunThatComparedNoCopyShowsUsersAtRiskUnknown() throws Exception {
    driver.get("http://127.0.0.1:" + APP.getLocalPort() + "/");
    WebElement token =
        waiting(10).until(ExpectedConditions.visibilityOfElementLocated(By.id("token")));
    token.sendKeys(ADMIN_TOKEN);
    driver.findElement(By.id("token-save")).click();
    waiting(10)
        .until(
            ExpectedConditions.presenceOfElementLocated(
                By.cssSelector("#datasets tr[data-dataset='down']")));
    new Select(driver.findElement(By.id("start-dataset"))).selectByValue("down");
    driver.findElement(By.id("start-button")).click();
    waiting(60)
        .until(ExpectedConditions.textToBePresentInElementLocated(By.id("run-status"), "FAILED"));
    waiting(10).until(ExpectedConditions.presenceOfElementLocated(By.id("run-users-at-risk")));
    assertThat(driver.findElement(By.id("run-users-at-risk")).getText())
        .isEqualTo("Users at risk: unknown (the audit could not compare every copy)");
  }
}

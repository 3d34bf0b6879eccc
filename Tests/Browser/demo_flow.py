#!/usr/bin/env python3
"""Clicks through `accounts demo` in a real headless Chromium (Selenium + chromedriver).

Starts `accounts demo --port 0 --database <tmp> --users <its own users file>`, reads the URL line, and walks the
whole flow as a person would: register through the sandbox's consent page (fixing a validation error first), sign
out, log in with Twitter again, cancel at the consent page, open the callback directly, sign up with email and link
Twitter to that account after a password sign-in, sign out everywhere, choose a new password through the link the
demo writes to its outbox, and undo a change of address through the notice to the old address. Each step saves a
screenshot under the
artefacts folder. The last line reads `N passed, M failed`; the exit status is 0 only when nothing failed.

    python3 Tests/Browser/demo_flow.py --accounts .build/debug/accounts --artifacts artifacts/browser
"""

import argparse
import json
import os
import re
import select
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "a long enough password"
NEW_PASSWORD = "another long enough password"
THIRD_PASSWORD = "a third long enough password"
FOURTH_PASSWORD = "a fourth long enough password"

# The sandbox's fake people for this suite: one without an email (the form must ask for it), one whose email an
# email account will already have (the link flow).
USERS = [
    {"id_str": "1111111111111111111", "screen_name": "nova_browser", "name": "Nova Browser"},
    {"id_str": "2222222222222222222", "screen_name": "lin_tester", "name": "Lin Tester", "email": "lin@example.org"},
]
NOVA, LIN = USERS[0]["id_str"], USERS[1]["id_str"]


class StepFailed(Exception):
    pass


def check(condition, message):
    if not condition:
        raise StepFailed(message)


class Demo:
    """`accounts demo` as a child process, ready once it printed its URL line."""

    def __init__(self, accounts, workdir):
        self.database = os.path.join(workdir, "demo.sqlite")
        users = os.path.join(workdir, "users.json")
        with open(users, "w", encoding="utf-8") as handle:
            json.dump(USERS, handle)
        self.stderr_path = os.path.join(workdir, "demo.stderr")
        self.stderr = open(self.stderr_path, "wb")
        environment = {k: v for k, v in os.environ.items()
                       if k not in ("ACCOUNTS_KEYS", "ACCOUNTS_KEYS_FILE", "ACCOUNTS_DATABASE",
                                    "TWITTER_CONSUMER_KEY", "TWITTER_CONSUMER_SECRET")}
        self.process = subprocess.Popen(
            [accounts, "demo", "--port", "0", "--database", self.database, "--users", users],
            stdout=subprocess.PIPE, stderr=self.stderr, env=environment)
        self.url = self._first_line(timeout=60)

    def _first_line(self, timeout):
        deadline = time.monotonic() + timeout
        data = b""
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or self.process.poll() is not None:
                raise RuntimeError("accounts demo did not print its URL line:\n" + self.stderr_text())
            ready, _, _ = select.select([self.process.stdout], [], [], remaining)
            if ready:
                chunk = os.read(self.process.stdout.fileno(), 4096)
                if not chunk:
                    raise RuntimeError("accounts demo closed stdout:\n" + self.stderr_text())
                data += chunk
        line, _, rest = data.partition(b"\n")
        self.extra_stdout = rest
        return line.decode()

    def stderr_text(self):
        if not self.stderr.closed:
            self.stderr.flush()
        with open(self.stderr_path, "rb") as handle:
            return handle.read().decode(errors="replace")

    def count(self, sql):
        connection = sqlite3.connect(f"file:{self.database}?mode=ro", uri=True)
        try:
            return connection.execute(sql).fetchone()[0]
        finally:
            connection.close()

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            status = self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            status = self.process.wait()
        rest = self.extra_stdout + self.process.stdout.read()
        self.stderr.close()
        return status, rest


class Suite:
    def __init__(self, demo, driver, artifacts):
        self.demo = demo
        self.driver = driver
        self.artifacts = artifacts
        self.wait = WebDriverWait(driver, 15)
        self.shot = 0
        self.passed = 0
        self.failed = 0

    # -- helpers ----------------------------------------------------------------------------------------------------

    def screenshot(self, name):
        self.shot += 1
        self.driver.save_screenshot(os.path.join(self.artifacts, f"{self.shot:02d}-{name}.png"))

    def open(self, path):
        self.driver.get(self.demo.url.rstrip("/") + path)

    def click(self, css):
        element = self.wait.until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
        element.click()

    def text_of(self, css):
        return self.wait.until(EC.presence_of_element_located((By.CSS_SELECTOR, css))).text

    def outbox_link(self, pattern):
        """The first group of `pattern` in the demo's outbox (<database>.outbox), waiting up to 10 s for the mail."""
        outbox = self.demo.database + ".outbox"
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if os.path.exists(outbox):
                with open(outbox, encoding="utf-8") as handle:
                    found = re.search(pattern, handle.read())
                if found:
                    return found.group(1)
            time.sleep(0.05)
        return None

    def present(self, css):
        return len(self.driver.find_elements(By.CSS_SELECTOR, css)) > 0

    def fill(self, name, value):
        field = self.wait.until(EC.presence_of_element_located((By.NAME, name)))
        field.clear()
        field.send_keys(value)

    def wait_for_path(self, prefix):
        try:
            self.wait.until(lambda d: self.path().startswith(prefix))
        except TimeoutException:
            raise StepFailed(f"expected to reach {prefix}, at {self.driver.current_url}")

    def path(self):
        url = self.driver.current_url
        base = self.demo.url.rstrip("/")
        return url[len(base):] if url.startswith(base) else url

    def signed_in_as(self):
        return self.text_of("#username") if self.present("#username") else None

    def consent(self, user_id, action):
        """On the sandbox's consent page: pick the fake user and press Authorize (or Cancel)."""
        self.wait.until(EC.presence_of_element_located((By.NAME, "user_id")))
        check("/oauth/authenticate" in self.driver.current_url, f"not on the consent page: {self.driver.current_url}")
        if user_id:
            self.click(f"input[name=user_id][value='{user_id}']")
        self.screenshot(f"consent-{action}")
        self.click(f"button[value={action}]")

    def sign_out(self):
        self.click("#sign-out")
        self.wait_for_path("/?notice=signed_out")

    # -- steps ------------------------------------------------------------------------------------------------------

    def step_home_page_offers_the_four_ways_in(self):
        self.open("/")
        for label in ("Register with Twitter", "Log in with Twitter", "Sign up with email", "Log in"):
            check(label in self.driver.page_source, f"home page lacks {label!r}")
        self.screenshot("home")

    def step_register_through_consent_fixing_a_validation_error(self):
        self.click("#register-twitter")
        self.consent(NOVA, "authorize")
        self.wait_for_path("/register/details?draft=")
        check(self.driver.find_element(By.NAME, "username").get_attribute("value") == "nova_browser",
              "username not pre-filled from the screen name")
        check(self.present("#username-from-twitter"), "username not marked as coming from Twitter")
        check(self.present("#email-missing"), "the missing email is not marked")
        check(self.driver.find_element(By.NAME, "first_name").get_attribute("value") == "Nova", "first name")
        self.screenshot("registration-form")
        # A bad username and no email: both errors at once, input kept
        self.fill("username", "nova browser!")
        self.click("#complete")
        self.wait.until(EC.presence_of_element_located((By.ID, "form-errors")))
        check(self.present("#username-error") and self.present("#email-error"), "not every error is shown")
        check(self.driver.find_element(By.NAME, "username").get_attribute("value") == "nova browser!",
              "the typed username was not kept")
        check(self.driver.find_element(By.NAME, "last_name").get_attribute("value") == "Browser", "input lost")
        check(self.demo.count("SELECT count(*) FROM users") == 0, "an account was written despite the errors")
        self.screenshot("registration-errors")
        self.fill("username", "nova")
        self.fill("email", "nova@example.org")
        self.click("#complete")
        self.wait_for_path("/account")
        check(self.signed_in_as() == "nova", f"signed in as {self.signed_in_as()!r}")
        check("nova_browser" in self.text_of("#twitter-identity"), "Twitter identity not shown")
        check(self.demo.count("SELECT count(*) FROM users") == 1, "expected one account")
        self.screenshot("registered")

    def step_sign_out(self):
        self.sign_out()
        check(self.signed_in_as() is None, "still signed in")
        check("You signed out." in self.text_of("#notice"), "no sign-out message")
        self.screenshot("signed-out")

    def step_log_in_with_twitter_again_without_a_new_account(self):
        self.click("#login-twitter")
        self.consent(NOVA, "authorize")
        self.wait_for_path("/account")
        check(self.signed_in_as() == "nova", f"signed in as {self.signed_in_as()!r}")
        check(self.demo.count("SELECT count(*) FROM users") == 1, "a second account was made")
        self.screenshot("logged-in-with-twitter")
        self.sign_out()

    def step_cancel_at_the_consent_page(self):
        self.click("#register-twitter")
        self.consent(None, "cancel")
        self.wait_for_path("/?notice=denied")
        check("You cancelled signing in with Twitter" in self.text_of("#notice"), "no cancel message")
        check(self.present("#register-twitter"), "not back at the start")
        self.screenshot("cancelled")

    def step_open_the_callback_directly(self):
        for query in ("", "?oauth_token=made-up&oauth_verifier=made-up"):
            self.open("/register/twitter/callback" + query)
            self.wait_for_path("/?notice=")
            check("could not be completed" in self.text_of("#notice"), f"no restart message for {query!r}")
            check(self.present("#register-twitter"), "not back at the start")
        self.screenshot("callback-opened-directly")

    def step_sign_up_with_email_then_link_twitter_after_password_sign_in(self):
        self.open("/")
        self.click("#signup-link")
        self.fill("username", "lin")
        self.fill("email", "lin@example.org")
        self.fill("password", PASSWORD)
        self.screenshot("email-sign-up")
        self.click("#sign-up")
        self.wait_for_path("/account")
        check(self.signed_in_as() == "lin", "not signed in after sign-up")
        self.sign_out()
        # Arrive through Twitter with the same email
        self.click("#register-twitter")
        self.consent(LIN, "authorize")
        self.wait_for_path("/register/existing?draft=")
        check("This email already has an account" in self.driver.page_source, "no existing-account page")
        check(self.driver.find_element(By.NAME, "login").get_attribute("value") == "lin@example.org",
              "login not pre-filled with the Twitter email")
        self.screenshot("existing-account")
        self.fill("password", PASSWORD)
        self.click("#sign-in-to-link")
        self.wait_for_path("/register/link?draft=")
        check(self.signed_in_as() == "lin", "not signed in after the password")
        self.screenshot("confirm-link")
        self.click("#confirm-link")
        self.wait_for_path("/account?notice=linked")
        check("lin_tester" in self.text_of("#twitter-identity"), "Twitter not linked")
        check(self.demo.count("SELECT count(*) FROM users") == 2, "expected two accounts")
        check(self.demo.count("SELECT count(*) FROM twitter_identities") == 2, "expected two linked identities")
        self.screenshot("linked")

    def step_confirm_the_email_address_from_the_outbox(self):
        self.open("/account")
        check(self.driver.find_elements(By.ID, "email-not-confirmed"), "lin's address already shown as confirmed")
        # The demo "mailed" lin a confirmation link at sign-up into <database>.outbox (after nova's: she typed an
        # address at registration other than the one Twitter gave)
        link = self.outbox_link(
            r"To: lin@example\.org\n[^\n]*\n\n[^\n]*\n(http://127\.0\.0\.1:\d+/email/confirm\?token=[0-9a-f]{64})")
        check(link is not None, "no confirmation link in the outbox")
        self.driver.get(link)
        check(self.text_of("#confirm-email-address") == "lin@example.org", "the page does not name lin's address")
        self.screenshot("confirm-email")
        self.click("#confirm-email")
        self.wait_for_path("/account?notice=email_confirmed")
        check(self.driver.find_elements(By.ID, "email-confirmed"), "lin's address not shown as confirmed")
        check(link.split("token=")[1] not in self.demo.stderr_text(), "the demo's stderr shows the token")
        self.screenshot("email-confirmed")

    def step_sign_out_everywhere(self):
        old = self.driver.get_cookie("accounts_session")
        check(old is not None and old.get("httpOnly") and old.get("sameSite") == "Lax", f"cookie flags: {old}")
        self.click("#sign-out-everywhere")
        self.wait_for_path("/?notice=signed_out_everywhere")
        check(self.signed_in_as() is None, "still signed in")
        self.screenshot("signed-out-everywhere")
        # The old session id is dead on the server too
        self.driver.delete_all_cookies()
        self.driver.add_cookie({"name": "accounts_session", "value": old["value"], "path": "/"})
        self.open("/account")
        self.wait_for_path("/login")
        check(self.signed_in_as() is None, "the revoked session still works")
        self.screenshot("revoked-session")

    def step_forgot_password_link_from_the_outbox(self):
        self.open("/login")
        self.click("#forgot-password")
        self.wait_for_path("/password/forgot")
        self.fill("email", "LIN@example.org")
        self.click("#send-link")
        check("If an account uses that address" in self.text_of("#reset-sent"), "no check-your-email page")
        self.screenshot("reset-link-sent")
        # The demo "mails" the link into <database>.outbox, after the answer
        link = self.outbox_link(r"(http://127\.0\.0\.1:\d+/password/reset\?token=[0-9a-f]{64})")
        check(link is not None, "no reset link in the outbox")
        outbox = self.demo.database + ".outbox"
        check(oct(os.stat(outbox).st_mode & 0o777) == "0o600", "the outbox is not owner-only")
        self.driver.get(link)
        check("Choose a new password" in self.driver.page_source and "<strong>lin</strong>" in self.driver.page_source,
              "no new-password form for lin")
        self.fill("password", NEW_PASSWORD)
        self.screenshot("choose-new-password")
        self.click("#set-password")
        self.wait_for_path("/account?notice=password_reset")
        check(self.signed_in_as() == "lin", "the reset did not sign lin in")
        check("you are signed in" in self.text_of("#notice"), "no signed-in notice after the reset")
        self.sign_out()
        self.open("/login")
        self.fill("login", "lin")
        self.fill("password", NEW_PASSWORD)
        self.click("#log-in")
        self.wait_for_path("/account")
        check(self.signed_in_as() == "lin", "the new password did not sign in")
        check(link.split("token=")[1] not in self.demo.stderr_text(), "the demo's stderr shows the token")
        self.screenshot("signed-in-with-new-password")

    def step_change_the_password_on_the_account_page(self):
        self.open("/account")
        self.fill("current_password", NEW_PASSWORD)  # the change form comes first (lin can also remove it)
        self.fill("new_password", THIRD_PASSWORD)
        self.screenshot("change-password")
        self.click("#change-password")
        self.wait_for_path("/account?notice=password_changed")
        check("Your password was changed" in self.text_of("#notice"), "no password-changed notice")
        check(self.signed_in_as() == "lin", "signed out by changing the password")
        # "Where you're signed in" lists this browser by its label, and lin's confirmed address is told of the change
        row = self.driver.find_element(By.ID, "this-session").find_element(By.XPATH, "..")
        check("Chrome on Linux" in row.text, f"this browser's session row: {row.text!r}")
        notice = self.outbox_link(r"(To: lin@example\.org\nSubject: Security notice for lin\n\n[^\n]*password[^\n]*changed)")
        check(notice is not None, "no security notice for the changed password in the outbox")
        self.sign_out()
        self.open("/login")
        self.fill("login", "lin@example.org")
        self.fill("password", THIRD_PASSWORD)
        self.click("#log-in")
        self.wait_for_path("/account")
        check(self.signed_in_as() == "lin", "the changed password did not sign in")
        self.screenshot("signed-in-with-changed-password")

    def step_undo_a_change_of_address_from_the_old_addresss_notice(self):
        # Whoever holds lin's password moves the account to an address of theirs
        self.open("/account")
        self.fill("new_email", "lin@new.example")
        self.driver.find_element(By.ID, "email_current_password").send_keys(THIRD_PASSWORD)
        self.click("#change-email")
        self.wait_for_path("/account?notice=email_change_sent")
        link = self.outbox_link(
            r"To: lin@new\.example\n[^\n]*\n\n[^\n]*\n(http://127\.0\.0\.1:\d+/email/confirm\?token=[0-9a-f]{64})")
        check(link is not None, "no change link in the outbox")
        self.driver.get(link)
        self.click("#confirm-email")
        self.wait_for_path("/account?notice=email_changed")
        # The old address is told, with a link that undoes the change
        undo = self.outbox_link(
            r"To: lin@example\.org\nSubject: Your email address was changed for lin\n\n[^\n]*\n"
            r"(http://127\.0\.0\.1:\d+/email/undo\?token=[0-9a-f]{64})")
        check(undo is not None, "no undo link in the notice to the old address")
        self.sign_out()
        self.driver.get(undo)
        check(self.text_of("#undo-restores") == "lin@example.org", "the page does not name the old address")
        check(self.text_of("#undo-replaced-by") == "lin@new.example", "the page does not name the new address")
        self.fill("password", FOURTH_PASSWORD)
        self.screenshot("undo-email-change")
        self.click("#undo-change")
        self.wait_for_path("/account?notice=email_change_undone")
        check("The change of address is undone" in self.text_of("#notice"), "no change-undone notice")
        check(self.signed_in_as() == "lin", "the undo did not sign lin in")
        check(self.demo.count("SELECT count(*) FROM users WHERE email = 'lin@example.org'") == 1,
              "lin's address is not restored")
        check(undo.split("token=")[1] not in self.demo.stderr_text(), "the demo's stderr shows the undo token")
        self.sign_out()
        self.open("/login")
        self.fill("login", "lin@example.org")
        self.fill("password", FOURTH_PASSWORD)
        self.click("#log-in")
        self.wait_for_path("/account")
        check(self.signed_in_as() == "lin", "the password chosen on the undo page did not sign in")
        self.screenshot("signed-in-after-undo")

    def step_delete_the_account_from_the_account_page(self):
        self.open("/account")
        # (several forms have a current_password field: this one is found by its id)
        self.driver.find_element(By.ID, "delete_current_password").send_keys(FOURTH_PASSWORD)
        self.click("#delete-account")
        # Without the box ticked, the page asks for it and the account stays
        check("Tick the box" in self.text_of("#delete-error"), "no error without the box ticked")
        check(self.demo.count("SELECT count(*) FROM users WHERE username = 'lin'") == 1, "deleted without the box")
        self.driver.find_element(By.ID, "delete_current_password").send_keys(FOURTH_PASSWORD)
        self.click("#delete-confirm")
        self.screenshot("delete-account")
        self.click("#delete-account")
        self.wait_for_path("/?notice=account_deleted")
        check("Your account was deleted" in self.text_of("#notice"), "no account-deleted notice")
        check(self.signed_in_as() is None, "still signed in after deleting the account")
        check(self.demo.count("SELECT count(*) FROM users WHERE username = 'lin'") == 0, "lin's account is still there")
        self.screenshot("account-deleted")

    def run(self):
        steps = [getattr(self, name) for name in dir(self) if name.startswith("step_")]
        steps.sort(key=lambda step: step.__code__.co_firstlineno)
        failed_at = None
        for step in steps:
            name = step.__name__[len("step_"):].replace("_", " ")
            if failed_at is not None:
                print(f"FAILED - {name}: not reached (an earlier step failed)", flush=True)
                self.failed += 1
                continue
            started = time.monotonic()
            try:
                step()
                self.passed += 1
                print(f"ok - {name} ({time.monotonic() - started:.1f}s)", flush=True)
            except Exception as error:  # noqa: BLE001 - every failure is reported, with a screenshot
                self.failed += 1
                failed_at = name
                print(f"FAILED - {name}: {error}", flush=True)
                if not isinstance(error, StepFailed):
                    traceback.print_exc()
                try:
                    self.screenshot("FAILED-" + step.__name__[len("step_"):])
                except Exception:  # noqa: BLE001
                    pass


def chromium_driver(chromium, chromedriver):
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for argument in ("--headless=new", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1100,900",
                     "--password-store=basic", "--no-first-run", "--disable-extensions"):
        options.add_argument(argument)
    if os.geteuid() == 0:
        options.add_argument("--no-sandbox")  # Chromium refuses to run as root with its sandbox
    return webdriver.Chrome(service=Service(executable_path=chromedriver), options=options)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--accounts", default=".build/debug/accounts")
    parser.add_argument("--artifacts", default="artifacts/browser")
    parser.add_argument("--chromium", default=shutil.which("chromium") or "/usr/bin/chromium")
    parser.add_argument("--chromedriver", default=shutil.which("chromedriver") or "/usr/bin/chromedriver")
    arguments = parser.parse_args()

    started = time.monotonic()
    shutil.rmtree(arguments.artifacts, ignore_errors=True)
    os.makedirs(arguments.artifacts, exist_ok=True)
    passed = failed = 0
    with tempfile.TemporaryDirectory(prefix="accounts-browser-") as workdir:
        demo = Demo(os.path.abspath(arguments.accounts), workdir)
        print(f"demo at {demo.url}", flush=True)
        driver = None
        try:
            driver = chromium_driver(arguments.chromium, arguments.chromedriver)
            suite = Suite(demo, driver, arguments.artifacts)
            suite.run()
            passed, failed = suite.passed, suite.failed
        finally:
            if driver is not None:
                driver.quit()
            status, rest = demo.stop()
            stderr = demo.stderr_text()
            with open(os.path.join(arguments.artifacts, "demo.stderr.txt"), "w", encoding="utf-8") as handle:
                handle.write(stderr)
        # The demo itself: one line on stdout, a clean stop, nothing secret on stderr
        if status == 0 and rest == b"" and "TWITTER_CONSUMER_SECRET" not in stderr and PASSWORD not in stderr:
            passed += 1
            print("ok - demo printed one line and stopped cleanly on SIGTERM", flush=True)
        else:
            failed += 1
            print(f"FAILED - demo stop: status {status}, extra stdout {rest!r}", flush=True)
    print(f"browser suite took {time.monotonic() - started:.1f}s; screenshots in {arguments.artifacts}", flush=True)
    print(f"{passed} passed, {failed} failed", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())

// docs_browser.mjs URL EMAIL PASSWORD OUT_DIR CHROMIUM: Swagger UI at URL/docs
// in headless Chromium (puppeteer-core, pinned in package.json, driving
// Debian's chromium), as a person would use it.  Prints one JSON report on
// stdout for test_docs_browser.c to judge; exits 0 when it could run at all.
//
//   page        the HTTP status of /docs, the title Swagger UI shows
//   operations  [{method, path}] of every operation block rendered
//   screenshot  OUT_DIR/docs.png, the whole page
//   errors      console errors, page errors, CSP violations, failed requests
//   badLogin    Authorize with a wrong password: {authorized, error}
//   meAnonymous "Try it out" on GET /users/me without a token: {status, body}
//   goodLogin   Authorize with the right password: {authorized, error}
//   me          the same "Try it out" after it: {status, body}
import puppeteer from "puppeteer-core";

const [url, email, password, outDir, chromium] = process.argv.slice(2);
const STEP_MS = 120000;	// one wait; generous: a loaded machine took 10 s to render
const report = { errors: [] };

// The authorization dialog: fills the OAuth2 password form and presses
// Authorize; returns whether Swagger UI then holds a token, and the error
// text it shows otherwise.  The dialog is closed again either way.
async function authorize(page, user, pass) {
	await page.click(".auth-wrapper .authorize");
	await page.waitForSelector(".modal-ux #oauth_username");
	const form = await page.$("xpath/.//div[contains(@class,'auth-container')]" +
	    "[.//*[contains(text(),'OAuth2PasswordBearer')]]");
	const user_in = await form.$("#oauth_username");
	const pass_in = await form.$("#oauth_password");
	await user_in.click({ clickCount: 3 });
	await user_in.type(user);
	await pass_in.click({ clickCount: 3 });
	await pass_in.type(pass);
	const answered = page.waitForResponse((r) => r.url().endsWith("/auth/jwt/login"));
	await (await form.$("button.authorize")).click();
	const login = await answered;
	// Swagger UI renders the outcome after the answer: a Logout button, or an error.
	await page.waitForFunction((f) => f.querySelector("button.btn-done") !== null &&
	    (f.textContent.includes("Logout") || f.querySelector(".errors") !== null),
	    { timeout: STEP_MS }, form);
	const out = await form.evaluate((f) => ({
		authorized: [...f.querySelectorAll("button")].some((b) => b.textContent.trim() === "Logout"),
		error: f.querySelector(".errors") ? f.querySelector(".errors").textContent : null,
	}));
	out.loginStatus = login.status();
	await (await form.$("button.btn-done")).click();
	await page.waitForSelector(".modal-ux", { hidden: true });
	return out;
}

// "Try it out" and "Execute" on GET /users/me; the status and body it shows.
async function tryMe(page) {
	const block = "#operations-users-usersCurrentUser";
	if (await page.$(block + " .opblock-body") === null)
		await page.click(block + " .opblock-summary-control");
	const tryOut = await page.waitForSelector(block + " .try-out__btn");
	if ((await tryOut.evaluate((b) => b.textContent)).includes("Try it out"))
		await tryOut.click();
	const answered = page.waitForResponse((r) => r.url().endsWith("/users/me"));
	await page.click(block + " .execute");
	await answered;
	const cell = await page.waitForSelector(block + " .live-responses-table .response .response-col_status");
	return {
		status: Number((await cell.evaluate((c) => c.textContent)).trim()),
		body: await page.$eval(block + " .live-responses-table .response .microlight",
		    (c) => c.textContent),
	};
}

const browser = await puppeteer.launch({
	executablePath: chromium,
	headless: true,
	timeout: STEP_MS,
	args: ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
	    "--no-first-run", "--no-default-browser-check", "--disable-extensions"],
});
try {
	const page = await browser.newPage();
	page.setDefaultTimeout(STEP_MS);
	page.on("console", (m) => { if (m.type() === "error") report.errors.push("console: " + m.text()); });
	page.on("pageerror", (e) => report.errors.push("page: " + e.message));
	page.on("requestfailed", (r) => report.errors.push("request: " + r.url() + " " +
	    (r.failure() ? r.failure().errorText : "")));
	await page.setViewport({ width: 1280, height: 900 });
	const resp = await page.goto(url + "/docs", { waitUntil: "load" });
	report.page = { status: resp.status(), type: resp.headers()["content-type"] };
	await page.waitForSelector(".opblock .opblock-summary-path");
	report.page.title = await page.$eval(".information-container .title",
	    (e) => e.textContent);
	report.operations = await page.$$eval(".opblock", (els) => els.map((e) => ({
		method: (e.querySelector(".opblock-summary-method") || {}).textContent,
		path: (e.querySelector(".opblock-summary-path") || { getAttribute: () => null })
		    .getAttribute("data-path"),
	})));
	report.screenshot = outDir + "/docs.png";
	await page.screenshot({ path: report.screenshot, fullPage: true });
	report.badLogin = await authorize(page, email, "not the password");
	report.meAnonymous = await tryMe(page);
	report.goodLogin = await authorize(page, email, password);
	report.me = await tryMe(page);
} catch (e) {
	report.errors.push("driver: " + (e && e.stack ? e.stack : String(e)));
} finally {
	await browser.close();
}
process.stdout.write(JSON.stringify(report) + "\n");

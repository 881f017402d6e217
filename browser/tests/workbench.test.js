// The workbench page in a real browser: open a shipped definition, see a misspelling
// underlined with its did-you-mean, see a patient's course with the windows a criterion
// examined and its evidence, and see the verdict follow a changed threshold.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { artifacts, browser, serve } from "./helpers.js";

let server, chromium, page;
const errors = [];

before(async () => {
  server = await serve();
  chromium = await browser();
  page = await chromium.newPage({ viewport: { width: 1440, height: 1000 } });
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => { if (m.type() === "error") errors.push(m.text()); });
  await page.goto(server.url);
  await page.waitForSelector("body[data-ready='1']", { timeout: 20000 });
});

after(async () => {
  await chromium?.close();
  server?.stop();
});

/** Select `word` (its first occurrence after `from`) in the editor and type `replacement`. */
async function retype(word, replacement, from = "") {
  await page.evaluate(([word, from]) => {
    const area = document.getElementById("text");
    const start = area.value.indexOf(word, area.value.indexOf(from));
    if (start < 0) throw new Error(`${word} is not in the editor`);
    area.focus();
    area.setSelectionRange(start, start + word.length);
  }, [word, from]);
  await page.keyboard.type(replacement, { delay: 15 });
}

test("the page loads and opens a shipped definition", async () => {
  assert.equal(await page.title(), "refract workbench");
  await page.selectOption("#open", "cci-2022.crit");
  await page.waitForFunction(() => document.getElementById("text").value.startsWith("definition cci-2022"));
  await page.waitForFunction(() => document.getElementById("check-summary").textContent === "cci-2022: no errors");
  assert.match(await page.textContent("#file-status"), /cci-2022\.crit — saved/);
  // The cohort counts: the draft's row and one per shipped file.
  const rows = await page.locator("#counts tbody tr").count();
  assert.ok(rows >= 7, `${rows} rows of counts`);
  assert.equal(await page.locator("#patients li").count(), 39);
  assert.deepEqual(errors, []);
});

test("a misspelled attribute is underlined and its diagnostic offers the right name", async () => {
  await retype("target_viable_sum_mm", "target_viabel_sum_mm", "part progression");
  const item = page.locator("#diagnostics li.error").first();
  await item.waitFor({ timeout: 10000 });
  const text = await item.textContent();
  assert.match(text, /`?target_viabel_sum_mm`? is not defined/);
  assert.match(text, /did you mean target_viable_sum_mm\?/);
  assert.match(await page.textContent("#check-summary"), /^1 error/);
  // The underline sits under the misspelled word, not elsewhere.
  assert.equal(await page.textContent("#underlay mark"), "target_viabel_sum_mm");
  await page.locator(".editor-panel").screenshot({ path: join(artifacts, "diagnostic.png") });
  // Mend it: the diagnostic goes away.
  await retype("target_viabel_sum_mm", "target_viable_sum_mm");
  await page.waitForFunction(() => document.getElementById("check-summary").textContent === "cci-2022: no errors");
  assert.equal(await page.locator("#diagnostics li").count(), 0);
});

test("a patient's plot shades the windows examined and rings the evidence", async () => {
  await page.fill("#search", "cci-pd-at-third");
  assert.equal(await page.locator("#patients li").count(), 1);
  await page.click("#patients button[data-id='cci-pd-at-third-session']");
  await page.waitForSelector("#plot svg.timeline");
  assert.match(await page.textContent("#verdict"), /cci-2022 \(refractory\): met onset 2021-08-23/);
  await page.waitForSelector("#criteria tr[aria-selected='true'][data-criterion='intrahepatic_progression']");
  // The response window of the third session (2021-08-19 to 2021-10-19) and the baseline window.
  assert.ok(await page.locator("#plot rect.window").count() >= 2);
  assert.match(await page.textContent("#plot-caption"), /from 1 month to 3 months after the session of 2021-07-19/);
  // Evidence: the baseline scan (event 1), the third session (9) and its response scan (10).
  const ringed = await page.$$eval("#plot g.evidence", (gs) => gs.map((g) => Number(g.dataset.event)).sort((a, b) => a - b));
  assert.deepEqual(ringed, [1, 9, 10]);
  assert.equal(await page.locator("#plot .evidence-ring").count(), 3);
  // Sessions, imaging with mRECIST, status and the AFP series are all drawn.
  assert.equal(await page.locator("#plot g.session").count(), 3);
  assert.ok(await page.locator("#plot g.imaging text", { hasText: "PD" }).count() >= 1);
  assert.equal(await page.locator("#plot polyline.marker-line").count(), 1);
  await page.locator(".patient-panel").screenshot({ path: join(artifacts, "workbench.png") });
  // As printed in grey, for looking at: the page's print style with colour taken out.
  await page.emulateMedia({ media: "print" });
  await page.evaluate(() => { document.documentElement.style.filter = "grayscale(1)"; });
  await page.screenshot({ path: join(artifacts, "printed-grey.png"), fullPage: true });
  await page.evaluate(() => { document.documentElement.style.filter = ""; });
  await page.emulateMedia({ media: "screen" });
  await page.fill("#search", "");
});

test("raising a threshold changes the verdict", async () => {
  await retype("20 %", "40 %", "part progression");
  // 40 mm to 52 mm is 30 %: no longer progression at 40 %.
  await page.waitForFunction(() => /not met/.test(document.getElementById("verdict").textContent), null, { timeout: 10000 });
  const badge = page.locator("#patients button[data-id='cci-pd-at-third-session'] .badge");
  assert.equal(await badge.textContent(), "not met");
  assert.match(await page.textContent("#file-status"), /modified, not saved/);
  await page.screenshot({ path: join(artifacts, "threshold-changed.png"), fullPage: true });
  assert.deepEqual(errors, []);
});

test("two definitions side by side", async () => {
  await page.selectOption("#compare-first", "cci-2022.crit");
  await page.selectOption("#compare-second", "jsh-2010.crit");
  await page.click("#compare");
  await page.waitForSelector("#compare-body table.three");
  assert.match(await page.textContent("#compare-body"), /39 patients: rows cci-2022, columns jsh-2010/);
  assert.match(await page.textContent("#compare-body"), /Cohen's kappa/);
  await page.locator(".compare-panel").screenshot({ path: join(artifacts, "side-by-side.png") });
});

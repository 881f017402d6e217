// Issue 12: the page of `refract compare --html` renders in Chromium with its matrix and
// its plot (it is self-contained: no script, font or other file to load).
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { artifacts, binary, browser, root } from "./helpers.js";

test("compare --html renders the kappa matrix and the incidence curves", async () => {
  const file = join(artifacts, "compare.html");
  execFileSync(binary, ["compare", "-d", join(root, "definitions"), "--html", file, join(root, "examples", "cohort.jsonl")], { stdio: ["ignore", "pipe", "inherit"] });
  const chromium = await browser();
  try {
    const page = await chromium.newPage({ viewport: { width: 1100, height: 900 } });
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    assert.equal(await page.title(), "refract compare");
    // Six definitions: a 6 × 6 matrix of cells, each with its kappa written in.
    assert.equal(await page.locator("svg.heatmap rect").count(), 36);
    assert.match(await page.textContent("svg.heatmap"), /1\.00/);
    // One curve per definition with a met patient in it, and their labels.
    assert.equal(await page.locator("svg.incidence path.curve").count(), 6);
    const box = await page.locator("svg.incidence").boundingBox();
    assert.ok(box && box.width > 300 && box.height > 150, "the plot has a size on the page");
    assert.deepEqual(requests.filter((u) => !u.startsWith("file:")), [], "nothing is fetched");
    await page.screenshot({ path: join(artifacts, "compare-html.png"), fullPage: true });
  } finally {
    await chromium.close();
  }
});

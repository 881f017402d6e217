// Shared by the browser tests: start `refract serve` on a free port over a copy of the
// shipped definitions (so no test can change them), and Debian's Chromium headless.
import { spawn } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const binary = process.env.REFRACT_BIN || join(root, "target", "debug", "refract");
export const artifacts = join(root, "browser", "test-artifacts");
mkdirSync(artifacts, { recursive: true });

/** Start the server; resolves to { url, stop, folder } once it prints its address. */
export function serve(cohort = join(root, "examples", "cohort.jsonl")) {
  const folder = mkdtempSync(join(tmpdir(), "refract-serve-"));
  cpSync(join(root, "definitions"), folder, { recursive: true });
  const child = spawn(binary, ["serve", "--port", "0", "-d", folder, cohort], { stdio: ["ignore", "pipe", "pipe"] });
  let errors = "";
  child.stderr.on("data", (d) => { errors += d; });
  // A test that dies before its `after` still leaves no server running.
  process.on("exit", () => child.kill());
  return new Promise((ok, fail) => {
    const timer = setTimeout(() => fail(new Error("refract serve did not start: " + errors)), 20000);
    let seen = "";
    child.stdout.on("data", (d) => {
      seen += d;
      const m = seen.match(/http:\/\/127\.0\.0\.1:\d+\//);
      if (m) {
        clearTimeout(timer);
        ok({
          url: m[0],
          folder,
          stop: () => { child.kill(); rmSync(folder, { recursive: true, force: true }); },
        });
      }
    });
    child.on("exit", (code) => fail(new Error(`refract serve exited with ${code}: ${errors}`)));
  });
}

/** Debian's Chromium, with the flags that work on a machine with no outside network.
 * Playwright starts it with a fresh, empty profile of its own (--user-data-dir in a new
 * temporary folder), so none is passed here. */
export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    headless: true,
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync"],
  });
}

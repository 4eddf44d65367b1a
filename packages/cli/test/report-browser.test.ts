// `--report`: the HTML report in headless Chromium (Debian's chromium package, driven by playwright-core with
// executablePath; playwright's own browser download cannot work here). The page must load offline with no console
// errors, every chart must have drawn (a non-blank canvas), and a screenshot is written. Without a chromium binary
// the browser tests skip with a message (set IVSIM_CHROMIUM to point at one); the HTML checks still run.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { describe, expect, it } from 'vitest';

const CLI = new URL('../dist/main.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ivsim-report-'));
const BROWSER = [process.env.IVSIM_CHROMIUM, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']
  .filter((p): p is string => typeof p === 'string' && p.length > 0)
  .find((p) => existsSync(p));
if (!BROWSER)
  console.warn('report-browser.test: no chromium binary (apt-get install chromium, or set IVSIM_CHROMIUM): skipped');

const cli = (...args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8' });

const runReport = join(dir, 'run.html');
const sweepReport = join(dir, 'sweep.html');
const paramSweepReport = join(dir, 'param-sweep.html');
const EXAMPLE = new URL('../../../examples/nic-rate-sweep.yaml', import.meta.url).pathname;
const made = {
  run: cli('run', 'x86-small', '--report', runReport, '--hlog', join(dir, 'r.hlog'), '--trace', join(dir, 'r.json')),
  sweep: cli('sweep', 'arm-lr-pressure', '--lrs', '1,4', '--report', sweepReport),
  paramSweep: cli('sweep', EXAMPLE, '--set', 'duration=1ms', '--report', paramSweepReport),
};

describe('HTML report (file)', () => {
  it('run and sweep write self-contained HTML: uPlot and the data inlined, nothing fetched', () => {
    expect(made.run.status).toBe(0);
    expect(made.sweep.status).toBe(0);
    expect(made.paramSweep.status, made.paramSweep.stderr).toBe(0);
    for (const f of [runReport, sweepReport, paramSweepReport]) {
      const html = readFileSync(f, 'utf8');
      expect(html).toMatch(/^<!doctype html>/);
      expect(html).toContain('uPlot');
      // No external script, stylesheet or image: the browser test below also records every non-file request.
      expect(/<(script|img|iframe)[^>]+src=|<link[^>]+href=/.test(html)).toBe(false);
    }
    expect(existsSync(join(dir, 'r.hlog')) && existsSync(join(dir, 'r.json'))).toBe(true);
  });
});

describe.skipIf(!BROWSER)('HTML report in headless Chromium', () => {
  const check = async (file: string, minCharts: number, shot: string) => {
    const browser = await chromium.launch({ executablePath: BROWSER, headless: true, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      const errors: string[] = [];
      const requests: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') errors.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${file}`);
      await page.waitForSelector(`body[data-charts-drawn="${await page.locator('.chart').count()}"]`, {
        timeout: 10_000,
      });
      // Every chart: a canvas with many painted pixels in more than two colours (axes alone are one colour).
      const stats = await page.$$eval('.chart', (els) =>
        els.map((el) => {
          const c = el.querySelector('canvas');
          if (!c) return { id: el.id, painted: 0, colours: 0 };
          const ctx = c.getContext('2d');
          const d = ctx ? ctx.getImageData(0, 0, c.width, c.height).data : new Uint8ClampedArray();
          let painted = 0;
          const colours = new Set<number>();
          for (let i = 0; i < d.length; i += 4)
            if (d[i + 3] > 0) {
              painted++;
              colours.add((d[i] << 16) | (d[i + 1] << 8) | d[i + 2]);
            }
          return { id: el.id, painted, colours: colours.size };
        }),
      );
      expect(stats.length).toBeGreaterThanOrEqual(minCharts);
      for (const s of stats) {
        expect(s.painted, s.id).toBeGreaterThan(2000);
        expect(s.colours, s.id).toBeGreaterThan(2);
      }
      expect(errors).toEqual([]);
      expect(requests).toEqual([]);
      const png = join(dir, shot);
      await page.screenshot({ path: png, fullPage: true });
      const buf = readFileSync(png);
      expect(buf.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a'); // PNG signature
      expect(statSync(png).size).toBeGreaterThan(50_000);
    } finally {
      await browser.close();
    }
  };

  it('run report: CDFs and histograms of both latencies, exits by reason per scheme, % of bare metal', async () => {
    await check(runReport, 2 + 2 + 4 + 1, 'run.png');
  });

  it('sweep report: a line chart per metric', async () => {
    await check(sweepReport, 4, 'sweep.png');
  });

  it('sweep: block report: a line chart per metric against the first axis, a line per scheme × other axes', async () => {
    await check(paramSweepReport, 4, 'param-sweep.png');
  });
});

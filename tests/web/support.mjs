// What the browser tests share: a demo server with an SMTP sink, and the
// check run on every page (axe-core, no sideways scrolling, a screenshot).
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { waitForLine } from '../support/wait_for_line.mjs';

const require = createRequire(import.meta.url);
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = process.env.RDV_SCREENSHOTS;

// `rendezvous serve --demo` on a free port, mailing to a local SMTP sink.
export async function startDemo() {
  const dir = mkdtempSync(join(tmpdir(), 'rdv-web-'));
  const mails = join(dir, 'mails');
  mkdirSync(mails);
  const smtp = spawn('/usr/bin/python3', [process.env.RDV_SMTP_SINK, mails]);
  const [, smtpPort] = await waitForLine(smtp, /ready (\d+)/, 'smtp sink');
  const server = spawn(process.env.RDV_BINARY, ['serve', '--listen', '127.0.0.1:0', '--db',
    `sqlite:${join(dir, 'db.sqlite')}`, '--demo', '--smtp-url', `smtp://127.0.0.1:${smtpPort}`,
    '--scheduler-tick-ms', '100', '--documents-dir', join(dir, 'documents')]);
  let output = '';
  server.stdout.on('data', (chunk) => { output += chunk.toString(); });
  const [, base] = await waitForLine(server, /listening on (http:\/\/\S+)/, 'rendezvous');
  return {
    base,
    mails,
    // What the server printed (the demo accounts come after "listening on").
    output: () => output,
    stop() {
      server.kill('SIGTERM');
      smtp.kill('SIGTERM');
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// axe on the page as it is now, nothing wider than the viewport, and a
// screenshot for the reviewers.
export async function check(page, name) {
  await page.addScriptTag({ content: AXE });
  const result = await page.evaluate(async () =>
    await window.axe.run(document, { runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] }));
  const problems = result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(problems, [], `${name}: accessibility violations`);
  const wide = await page.evaluate(() => document.documentElement.scrollWidth);
  const screen = page.viewportSize().width;
  assert.ok(wide <= screen, `${name}: ${wide}px wide on a ${screen}px screen`);
  if (SHOTS) {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  }
}

// The text of the mail sent to `to`, read by tests/support/mail_summary.py.
export function mailTextTo(mails, to) {
  const out = spawnSync('/usr/bin/python3', [process.env.RDV_MAIL_SUMMARY, mails], { encoding: 'utf8' });
  const mail = JSON.parse(out.stdout).find((m) => m.to === to);
  assert.ok(mail, `no email to ${to}`);
  return mail.text;
}

export async function waitForMail(mails, count) {
  for (let i = 0; i < 100; i++) {
    if (readdirSync(mails).filter((f) => f.endsWith('.eml')).length >= count) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${count} email(s) did not arrive`);
}

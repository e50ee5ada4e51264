// A resident on a phone (360 x 740), keyboard only, in Debian's Chromium:
// searches, books, opens the manage link from the email received, moves the
// booking, then cancels it. axe-core checks every page visited (WCAG 2.1
// AA); a screenshot of each is written under the build folder for review.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startDemo, check, mailTextTo, waitForMail } from './support.mjs';

let demo, browser, base;

before(async () => {
  demo = await startDemo();
  base = demo.base;
  browser = await chromium.launch({ executablePath: process.env.RDV_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

// Tabs until the focused element matches `predicate` (keyboard only).
async function tabTo(page, predicate, what, max = 200) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const hit = await page.evaluate(predicate);
    if (hit) return;
  }
  throw new Error(`could not reach ${what} with the keyboard`);
}

test('a resident books, moves and cancels from a phone, with the keyboard only', async () => {
  // bypassCSP lets the test inject axe; the pages keep their policy.
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + '/');
  await check(page, '01-accueil');

  // The skip link comes first.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.textContent), 'Aller au contenu');
  await tabTo(page, () => document.activeElement.id === 'q', 'the search field');
  await page.keyboard.type('carte grise');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/recherche/);
  await check(page, '02-resultats');

  await tabTo(page, () => document.activeElement.textContent === 'Carte grise', 'the result');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/services\/\d+/);
  await check(page, '03-creneaux');

  // Next week: far enough ahead to be moved and cancelled online. The script
  // swaps the week in without reloading the page (a mark set now stays), and
  // the new heading takes the focus.
  await page.evaluate(() => { window.sameDocument = true; });
  await tabTo(page, () => document.activeElement.textContent === 'Semaine suivante', 'next week');
  await page.keyboard.press('Enter');
  await page.waitForURL(/semaine=/);
  await page.waitForFunction(() => document.activeElement.tagName === 'H1');
  assert.equal(await page.evaluate(() => window.sameDocument), true, 'the page was reloaded');
  await check(page, '03b-semaine-suivante');
  await tabTo(page, () => document.activeElement.classList.contains('slot'), 'a slot');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/reserver/);
  await check(page, '04-formulaire');

  // Sent empty: the errors are listed at the top and by each field.
  await tabTo(page, () => document.activeElement.type === 'submit', 'the submit button');
  await page.keyboard.press('Enter');
  await page.waitForSelector('#erreurs');
  await check(page, '05-erreurs');

  await tabTo(page, () => document.activeElement.id === 'first_name', 'the first name');
  await page.keyboard.type('Léa');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Dupont');
  await page.keyboard.press('Tab');
  await page.keyboard.type('lea.dupont@example.fr');
  await tabTo(page, () => document.activeElement.type === 'submit', 'the submit button');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/rendez-vous\/\d+/);
  assert.match(await page.textContent('main'), /Votre rendez-vous est confirmé/);
  await check(page, '06-confirmation');

  // The link of the email received opens the booking's page.
  await waitForMail(demo.mails, 1);
  const link = mailTextTo(demo.mails, 'lea.dupont@example.fr').match(/http:\/\/[^\s"<>]+\/rendez-vous\/\d+\?token=[A-Za-z0-9_-]+/);
  assert.ok(link, 'no manage link in the email');
  await page.goto(link[0]);
  assert.match(await page.textContent('main'), /Léa Dupont/);

  await tabTo(page, () => document.activeElement.textContent === 'Déplacer mon rendez-vous', 'move');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/deplacer/);
  await check(page, '07-deplacer');
  // The next week's first slot.
  await tabTo(page, () => document.activeElement.textContent === 'Semaine suivante', 'next week');
  await page.keyboard.press('Enter');
  await page.waitForURL(/semaine=/);
  await tabTo(page, () => document.activeElement.classList.contains('slot'), 'a new slot');
  await page.keyboard.press('Enter');
  await page.waitForURL(/start=/);
  await check(page, '08-confirmer-deplacement');
  await tabTo(page, () => document.activeElement.type === 'submit', 'confirm the move');
  await page.keyboard.press('Enter');
  await page.waitForURL(/deplace=1/);
  assert.match(await page.textContent('main'), /Votre rendez-vous est déplacé/);

  await tabTo(page, () => document.activeElement.textContent === 'Annuler mon rendez-vous', 'cancel');
  await page.keyboard.press('Enter');
  await page.waitForURL(/annule=1/);
  assert.match(await page.textContent('main'), /Ce rendez-vous est annulé/);
  await check(page, '09-annule');
  await context.close();
});

test('each resident page weighs under 150 KB with all it loads', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  const page = await context.newPage();
  for (const path of ['/', '/recherche?q=carte', '/services/1']) {
    let bytes = 0;
    page.on('response', async (r) => { try { bytes += (await r.body()).length; } catch {} });
    await page.goto(base + path, { waitUntil: 'networkidle' });
    assert.ok(bytes > 0 && bytes < 150 * 1024, `${path}: ${bytes} bytes`);
    page.removeAllListeners('response');
  }
  await context.close();
});

test('an agent signs in with the demo account, opens a weekly slot and sees a booking made meanwhile in the week', async () => {
  // The demo prints each staff account once: "agent : EMAIL / PASSWORD".
  const account = demo.output().match(/agent : (\S+) \/ (\S+)/);
  assert.ok(account, `no demo agent account in: ${demo.output()}`);
  // A resident books the agent's service meanwhile, through the API.
  const slots = await (await fetch(`${base}/api/v1/slots?service=1`)).json();
  const slot = slots[slots.length - 1];
  const booked = await fetch(`${base}/api/v1/bookings`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ service_id: 1, start: slot.start,
      resident: { first_name: 'Awa', last_name: 'Kone', email: 'awa.kone@example.fr' } }),
  });
  assert.equal(booked.status, 201);

  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, bypassCSP: true });
  const page = await context.newPage();
  await page.goto(base + '/espace');
  await page.waitForURL(/\/connexion/);
  await check(page, '10-connexion');
  await tabTo(page, () => document.activeElement.id === 'email', 'the email field');
  await page.keyboard.type(account[1]);
  await page.keyboard.press('Tab');
  await page.keyboard.type(account[2]);
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/espace$/);
  // A weekly slot opened through the page, offered at once.
  await page.click('text=Mes créneaux');
  await page.waitForURL(/\/espace\/creneaux/);
  await check(page, '12-creneaux-agent');
  const day = new Date(Date.now() + 20 * 86400e3).toISOString().slice(0, 10);
  await page.check('input[name=service]');
  await page.fill('#day', day);
  await page.fill('#start', '14:00');
  await page.fill('#end', '16:00');
  await page.check('#weekly');
  await page.click('text=Ouvrir le créneau');
  await page.waitForURL(/ajoute=1/);
  assert.match(await page.textContent('main'), /Le créneau est ouvert/);
  assert.match(await page.textContent('main'), /chaque semaine/);
  const offered = await (await fetch(`${base}/api/v1/slots?service=1&from=${day}T00:00:00Z&to=${day}T23:59:00Z`)).json();
  assert.ok(offered.some((s) => s.start.includes('T14:00')), JSON.stringify(offered));
  await page.goto(`${base}/espace?semaine=${slot.start.slice(0, 10)}`);
  assert.match(await page.textContent('main'), /Awa Kone/);
  await check(page, '11-semaine-agent');
  await context.close();
});

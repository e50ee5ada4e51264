// Staff at a desktop, in Debian's Chromium: the demo desk books for a visitor
// with the mandate, prints the confirmation and moves the visit; the demo
// agent declares an absence and reads their calendars page; the demo
// administrator goes through their organisation's pages; a resident asks for
// the link to all their appointments. axe-core checks
// every page (WCAG 2.1 AA), and each staff page is read at 200 % zoom
// (a 1280 px screen shows 640 CSS px) without sideways scrolling.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chromium } from 'playwright-core';
import { startDemo, check } from './support.mjs';

let demo, browser;

before(async () => {
  demo = await startDemo();
  browser = await chromium.launch({ executablePath: process.env.RDV_CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox'] });
});

after(async () => {
  await browser?.close();
  demo?.stop();
});

async function signIn(page, role) {
  const account = demo.output().match(new RegExp(`${role} : (\\S+) \\/ (\\S+)`));
  assert.ok(account, `no demo ${role} account in: ${demo.output()}`);
  await page.goto(demo.base + '/connexion');
  await page.fill('#email', account[1]);
  await page.fill('#password', account[2]);
  await page.click('button:has-text("Se connecter")');
  await page.waitForURL(/\/espace$/);
}

test('a desk books for a visitor with the mandate, prints the confirmation and moves the visit', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, 'accueil \\(desk\\)');
  await check(page, '20-espace-accueil');
  await page.click('text=Prendre rendez-vous pour un visiteur');
  await page.fill('#q', 'carte grise');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/recherche/);
  await page.click('a:has-text("Carte grise")');
  await page.waitForURL(/\/services\/\d+/);
  await page.click('text=Semaine suivante');
  await page.waitForURL(/semaine=/);
  await page.click('a.slot >> nth=0');
  await page.waitForURL(/\/reserver/);
  await check(page, '21-formulaire-mandat');
  await page.fill('#first_name', 'Yves');
  await page.fill('#last_name', 'Moreau');
  await page.fill('#phone', '06 12 34 56 78');
  await page.check('input[name=mandate_consent]');
  await page.check('input[name=mandate_kind][value=oral]');
  await page.selectOption('#mandate_identity', 'passport');
  await page.fill('#mandate_procedures', 'Carte grise');
  await page.click('button[type=submit]:has-text("Confirmer")');
  await page.waitForURL(/\/espace\?reserve=\d+/);
  assert.match(await page.textContent('main'), /Le rendez-vous est pris/);
  await page.click('a:has-text("Yves Moreau")');
  await page.waitForURL(/\/espace\/rendez-vous\/\d+$/);
  await check(page, '22-rendez-vous-accueil');

  await page.click('text=Confirmation à imprimer');
  await page.waitForURL(/\/confirmation$/);
  await check(page, '23-confirmation-papier');
  // The print button appears with the script; paper shows the content only.
  assert.ok(await page.isVisible('button[data-print]'));
  await page.emulateMedia({ media: 'print' });
  assert.ok(!(await page.isVisible('header.site-header')));
  assert.match(await page.textContent('main'), /message de confirmation reçu par SMS/);
  await page.emulateMedia({ media: 'screen' });

  await page.click('text=Retour au rendez-vous');
  await page.click('text=Déplacer');
  await page.waitForURL(/\/deplacer$/);
  await check(page, '24-deplacer-accueil');
  await page.click('a.slot >> nth=1');
  await page.waitForURL(/start=/);
  await page.click('text=Confirmer le déplacement');
  await page.waitForURL(/deplace=1/);
  assert.match(await page.textContent('main'), /Le rendez-vous est déplacé/);
  await context.close();
});

test('an agent declares an absence, and reads their calendars page', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, 'agent');
  await page.click('text=Mes absences');
  await page.waitForURL(/\/espace\/absences/);
  await check(page, '30-absences');
  // Sent without a day: the summary of errors takes the focus.
  await page.click('text=Enregistrer l\'absence');
  await page.waitForSelector('#erreurs');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'erreurs');
  await check(page, '31-absences-erreurs');
  const day = new Date(Date.now() + 30 * 86400e3).toISOString().slice(0, 10);
  await page.fill('#from', day);
  await page.fill('#reason', 'Formation');
  await page.click('text=Enregistrer l\'absence');
  await page.waitForURL(/ajoute=1/);
  assert.match(await page.textContent('main'), /Formation/);

  await page.goto(demo.base + '/espace/agendas');
  await check(page, '32-agendas');
  const feed = await page.inputValue('#feed');
  assert.match(feed, /\/ical\/agents\/\d+\/[A-Za-z0-9_-]+\.ics$/);
  assert.equal((await fetch(feed)).status, 200);
  await context.close();
});

test('the staff pages reflow at 200 % zoom', async () => {
  // 200 % of a 1280 x 800 screen: 640 x 400 CSS pixels.
  const context = await browser.newContext({ viewport: { width: 640, height: 400 }, locale: 'fr-FR', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, 'agent');
  for (const path of ['/espace', '/espace/creneaux', '/espace/absences', '/espace/agendas', '/', '/services/1']) {
    await page.goto(demo.base + path);
    await check(page, `40-zoom${path.replaceAll('/', '-')}`);
  }
  await context.close();
});

test('an administrator reads and uses the pages of their organisation', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'fr-FR', bypassCSP: true });
  const page = await context.newPage();
  await signIn(page, 'administrateur');
  await page.click('a[href="/espace/admin"]');
  await page.waitForURL(/\/espace\/admin$/);
  await check(page, '50-admin');
  await page.click('main a[href^="/espace/admin/organisations/"]');
  await page.waitForURL(/\/espace\/admin\/organisations\/\d+$/);
  await check(page, '51-admin-organisation');
  const org = page.url();
  for (const [path, name] of [['/lieux/nouveau', '52-admin-lieu'], ['/demarches/nouvelle', '53-admin-demarche'],
    ['/personnes/inviter', '54-admin-inviter'], ['/visio', '55-admin-visio'], ['/webhooks/nouveau', '56-admin-webhook']]) {
    await page.goto(org + path);
    await check(page, name);
  }
  // A service sent without its name comes back with the error focused.
  await page.goto(org + '/demarches/nouvelle');
  await page.click('main button[type=submit]');
  await page.waitForSelector('#erreurs');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'erreurs');
  await check(page, '57-admin-demarche-erreurs');
  await page.goto(demo.base + '/espace/statistiques');
  await check(page, '58-statistiques');
  await context.close();
});

test('a resident asks for the link to all their appointments', async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'fr-FR', bypassCSP: true });
  const page = await context.newPage();
  await page.goto(demo.base + '/');
  await page.click('text=Mes rendez-vous');
  await page.waitForURL(/\/mes-rendez-vous$/);
  await check(page, '60-mes-rendez-vous');
  await page.click('main button[type=submit]');
  await page.waitForSelector('#erreurs');
  await check(page, '61-mes-rendez-vous-erreurs');
  await page.fill('#email', 'personne@example.fr');
  await page.click('main button[type=submit]');
  await page.waitForLoadState();
  await check(page, '62-mes-rendez-vous-envoye');
  await context.close();
});

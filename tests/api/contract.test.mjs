// Real responses of the server, checked against openapi.yaml by a Prism
// validating proxy: any request or response that breaks the contract fails.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { createServer as createHttpServer } from 'node:http';
import { waitForLine } from '../support/wait_for_line.mjs';

const ADMIN = 'contract-admin-token-0123456789abcdef';
let server, prism, dir, base, calendarHost, calendarUrl;

function freePort() {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}


// An agent's own calendar, served as a calendar host would.
const AGENDA = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//test//EN', 'BEGIN:VEVENT', 'UID:ext-1',
  'DTSTAMP:20260101T000000Z', 'DTSTART:20300107T090000Z', 'DTEND:20300107T100000Z', 'SUMMARY:Formation',
  'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'rdv-contract-'));
  calendarHost = createHttpServer((req, res) => { res.writeHead(200, { 'content-type': 'text/calendar' }); res.end(AGENDA); });
  await new Promise((resolve) => calendarHost.listen(0, '127.0.0.1', resolve));
  calendarUrl = `http://127.0.0.1:${calendarHost.address().port}/agenda.ics`;
  server = spawn(process.env.RDV_BINARY, ['serve', '--listen', '127.0.0.1:0', '--db',
    `sqlite:${join(dir, 'db.sqlite')}`, '--demo', '--no-scheduler'], {
    env: { ...process.env, RDV_BOOTSTRAP_ADMIN_TOKEN: ADMIN, RDV_BOOKING_RATE_LIMIT: '0',
           RDV_FETCH_ALLOW: '127.0.0.1' },
  });
  const [, upstream] = await waitForLine(server, /listening on (http:\/\/\S+)/, 'rendezvous');
  const port = await freePort();
  prism = spawn(join(import.meta.dirname, 'node_modules/.bin/prism'),
    ['proxy', process.env.RDV_OPENAPI, upstream, '--port', String(port), '--host', '127.0.0.1',
     '--errors'], { env: process.env });
  await waitForLine(prism, /Prism is listening/, 'prism');
  base = `http://127.0.0.1:${port}`;
});

after(() => {
  calendarHost?.close();
  prism?.kill('SIGTERM');
  server?.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

// Sends through the proxy; fails on any contract violation Prism reports.
let lastSetCookie = null;  // of the last answer that set one
async function call(method, path, { body, token, cookie, status } = {}) {
  const headers = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (cookie) headers.cookie = cookie;
  const res = await fetch(base + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  if (res.headers.get('set-cookie')) lastSetCookie = res.headers.get('set-cookie');
  const violations = res.headers.get('sl-violations');
  assert.equal(violations, null, `${method} ${path}: contract violations ${violations}`);
  assert.equal(res.status, status, `${method} ${path}: ${res.status} ${text}`);
  const type = res.headers.get('content-type') || '';
  return type.includes('json') && text ? JSON.parse(text) : text;
}

test('operations endpoints match the contract', async () => {
  assert.equal((await call('GET', '/healthz', { status: 200 })).status, 'ok');
  assert.equal((await call('GET', '/readyz', { status: 200 })).status, 'ready');
  assert.match(await call('GET', '/openapi.yaml', { status: 200 }), /^openapi: 3\.1\.0/);
});

test('a whole booking session matches the contract', async () => {
  const results = await call('GET', '/api/v1/search?q=numerique', { status: 200 });
  assert.equal(results.length, 1);
  await call('GET', '/api/v1/search?q=caf&postcode=33&mode=phone', { status: 200 });

  const org = await call('POST', '/api/v1/organisations', {
    token: ADMIN, status: 201, body: { name: 'Mairie de Saint-Laurent-du-Maroni', kind: 'commune', timezone: 'America/Cayenne' },
  });
  await call('GET', `/api/v1/organisations/${org.id}`, { status: 200 });
  const place = await call('POST', `/api/v1/organisations/${org.id}/places`, {
    token: ADMIN, status: 201, body: { name: 'Mairie annexe', postcode: '97320', city: 'Saint-Laurent-du-Maroni', latitude: 5.5, longitude: -54.03 },
  });
  await call('GET', `/api/v1/places/${place.id}`, { status: 200 });
  const service = await call('POST', `/api/v1/organisations/${org.id}/services`, {
    token: ADMIN, status: 201,
    body: { name: 'État civil', duration_minutes: 20, modes: ['in_person', 'phone'], min_notice_minutes: 0,
            documents_to_bring: ["Livret de famille"] },
  });
  await call('GET', `/api/v1/services/${service.id}`, { status: 200 });
  const agent = await call('POST', `/api/v1/organisations/${org.id}/agents`, {
    token: ADMIN, status: 201, body: { name: 'Maïté Joseph', email: 'maite@example.fr' },
  });
  const desk = await call('POST', `/api/v1/organisations/${org.id}/users`, {
    token: ADMIN, status: 201, body: { name: 'Accueil', role: 'desk' },
  });

  const day = new Date(Date.now() + 9 * 86400e3).toISOString().slice(0, 10);
  const opening = await call('POST', `/api/v1/agents/${agent.id}/openings`, {
    token: agent.api_token, status: 201,
    body: { place_id: place.id, service_ids: [service.id], start: `${day}T08:00`, end: `${day}T10:00`,
            rrule: 'FREQ=WEEKLY;COUNT=10', exdates: [] },
  });
  assert.equal(opening.timezone, 'America/Cayenne');
  await call('POST', `/api/v1/agents/${agent.id}/absences`, {
    token: agent.api_token, status: 201, body: { start: `${day}T09:00`, end: `${day}T09:30`, reason: 'Réunion' },
  });

  const slots = await call('GET', `/api/v1/slots?service=${service.id}&mode=in_person&from=${day}T00:00:00Z&to=${day}T23:59:59Z`, { status: 200 });
  assert.ok(slots.length > 0);
  const booking = await call('POST', '/api/v1/bookings', {
    status: 201,
    body: { service_id: service.id, start: slots[0].start, mode: 'in_person',
            resident: { first_name: 'Jean', last_name: 'Abena', email: 'jean@example.fr' } },
  });
  await call('POST', '/api/v1/bookings', {
    status: 409, body: { service_id: service.id, start: slots[0].start, resident: { first_name: 'A', last_name: 'B', email: 'a@b.fr' } },
  });
  const onBehalf = await call('POST', '/api/v1/bookings', {
    token: desk.api_token, status: 201,
    body: { service_id: service.id, start: slots[1].start, mode: 'phone',
            resident: { first_name: 'Awa', last_name: 'Kone', phone: '+594694000000' },
            mandate: { consent: true, kind: 'written', reference: 'M-42', procedures: ['Acte de naissance'], identity_check: 'passport', valid_until: day } },
  });
  assert.equal(onBehalf.booked_by, 'desk');
  assert.equal(onBehalf.mandate.recorded_by_account_id, desk.id);

  const token = booking.manage_token;
  await call('GET', `/api/v1/bookings/${booking.id}?token=${token}`, { status: 200 });
  await call('GET', `/api/v1/bookings/${booking.id}`, { token: agent.api_token, status: 200 });
  await call('GET', `/api/v1/bookings/${booking.id}`, { status: 401 });
  await call('POST', `/api/v1/bookings/${booking.id}/reschedule?token=${token}`, {
    status: 200, body: { start: slots[slots.length - 1].start },
  });
  assert.match(await call('GET', `/api/v1/bookings/${booking.id}/calendar.ics?token=${token}`, { status: 200 }),
    /METHOD:PUBLISH/);

  // The agent's calendars, busy view and feed.
  const sub = await call('POST', `/api/v1/agents/${agent.id}/calendars`, {
    token: agent.api_token, status: 201, body: { url: calendarUrl, purpose: 'busy' },
  });
  assert.equal(sub.last_error, null);
  await call('GET', `/api/v1/agents/${agent.id}/calendars`, { token: agent.api_token, status: 200 });
  await call('POST', `/api/v1/agents/${agent.id}/calendars/${sub.id}/refresh`, { token: agent.api_token, status: 200 });
  const busy = await call('GET', `/api/v1/agents/${agent.id}/busy?from=2030-01-01T00:00:00Z&to=2030-01-31T00:00:00Z`,
    { token: agent.api_token, status: 200 });
  assert.equal(busy.length, 1);
  await call('GET', `/api/v1/agents/${agent.id}/busy?from=${day}T00:00:00Z&to=${day}T23:59:59Z`,
    { token: agent.api_token, status: 200 });
  const feedPath = new URL(agent.ics_feed_url).pathname;
  assert.match(await call('GET', feedPath, { status: 200 }), /BEGIN:VCALENDAR/);
  const rotated = await call('POST', `/api/v1/agents/${agent.id}/feed-secret`, { token: agent.api_token, status: 200 });
  await call('GET', feedPath, { status: 404 });
  await call('GET', new URL(rotated.ics_feed_url).pathname, { status: 200 });
  await call('PATCH', `/api/v1/agents/${agent.id}/calendars/${sub.id}`, { token: agent.api_token, status: 200, body: { purpose: 'busy' } });
  await call('GET', `/api/v1/organisations/${org.id}/calendars?failing=true`, { token: ADMIN, status: 200 });
  await call('DELETE', `/api/v1/agents/${agent.id}/calendars/${sub.id}`, { token: agent.api_token, status: 204 });

  // Follow-up: opt-out, summary, webhooks, the operator's views.
  assert.match(await call('GET', `/api/v1/bookings/${onBehalf.id}/stop-reminders?token=x`, { status: 404 }), /Lien invalide/);
  const optOut = await call('POST', `/api/v1/bookings/${booking.id}/stop-reminders?token=${token}`, { status: 200, body: {} });
  assert.equal(optOut.reminders_opt_out, true);
  // Before the visit, a summary or an outcome is refused (the life cycle).
  const early = await call('POST', `/api/v1/bookings/${onBehalf.id}/summary`, {
    token: agent.api_token, status: 409, body: { summary: 'Acte de naissance demandé.' },
  });
  assert.equal(early.error.code, 'invalid_transition');
  await call('POST', `/api/v1/bookings/${onBehalf.id}/status`, {
    token: agent.api_token, status: 409, body: { status: 'done' },
  });
  await call('POST', `/api/v1/organisations/${org.id}/webhooks`, {
    token: ADMIN, status: 201, body: { url: 'https://crm.example.fr/rdv', secret: 'a-long-enough-secret', events: ['booking.created'] },
  });
  await call('GET', `/api/v1/organisations/${org.id}/webhooks`, { token: ADMIN, status: 200 });
  await call('GET', `/api/v1/organisations/${org.id}/survey-stats`, { token: ADMIN, status: 200 });
  await call('GET', `/api/v1/organisations/${org.id}/stats`, { token: ADMIN, status: 200 });
  await call('GET', '/api/v1/surveys/1-forged', { status: 404 });
  await call('GET', '/api/v1/jobs?status=pending', { token: ADMIN, status: 200 });
  await call('PUT', `/api/v1/organisations/${org.id}/video`, {
    token: ADMIN, status: 200,
    body: { provider: 'jitsi', url: 'https://visio.example.fr', app_id: 'rdv', secret: 'jitsi-secret-0123456789' },
  });
  await call('GET', `/api/v1/bookings/${booking.id}/documents?token=${token}`, { status: 200 });
  await call('GET', `/api/v1/bookings/${booking.id}/documents/1`, { token: agent.api_token, status: 404 });
  await call('GET', '/visio/1-r-forged', { status: 404 });
  assert.match(await call('GET', '/metrics', { token: ADMIN, status: 200 }), /^rdv_jobs_oldest_due_age_seconds /m);

  // Management: lists, changes, removals, booking lists.
  const orgs = await call('GET', '/api/v1/organisations?limit=2', { status: 200 });
  assert.equal(orgs.items.length, 2);
  await call('GET', `/api/v1/organisations?after=${orgs.next_after}`, { status: 200 });
  await call('PATCH', `/api/v1/organisations/${org.id}`, { token: ADMIN, status: 200, body: { name: 'Mairie de Saint-Laurent', colleagues_see_agendas: true } });
  await call('GET', `/api/v1/organisations/${org.id}/places`, { status: 200 });
  await call('PATCH', `/api/v1/places/${place.id}`, { token: ADMIN, status: 200, body: { opening_hours: 'Du lundi au vendredi, 8 h - 12 h' } });
  await call('DELETE', `/api/v1/places/${place.id}`, { token: ADMIN, status: 409 });
  await call('GET', `/api/v1/organisations/${org.id}/services?archived=true`, { token: ADMIN, status: 200 });
  await call('PATCH', `/api/v1/services/${service.id}`, { token: ADMIN, status: 200, body: { documents_to_bring: ['Livret de famille', "Pièce d'identité"] } });
  const spare = await call('POST', `/api/v1/organisations/${org.id}/services`, { token: ADMIN, status: 201, body: { name: 'Recensement', duration_minutes: 15 } });
  await call('DELETE', `/api/v1/services/${spare.id}`, { token: ADMIN, status: 204 });
  await call('GET', `/api/v1/organisations/${org.id}/agents`, { token: agent.api_token, status: 200 });
  await call('PATCH', `/api/v1/agents/${agent.id}`, { token: agent.api_token, status: 200, body: { phone: '0694 00 00 02' } });
  const openings = await call('GET', `/api/v1/agents/${agent.id}/openings`, { token: agent.api_token, status: 200 });
  assert.equal(openings.length, 1);
  await call('PATCH', `/api/v1/agents/${agent.id}/openings/${openings[0].id}`, {
    token: agent.api_token, status: 200, body: { modes: ['in_person'] },
  });
  const absences = await call('GET', `/api/v1/agents/${agent.id}/absences`, { token: agent.api_token, status: 200 });
  await call('PATCH', `/api/v1/agents/${agent.id}/absences/${absences[0].id}`, {
    token: agent.api_token, status: 200, body: { reason: 'Réunion de service' },
  });
  await call('DELETE', `/api/v1/agents/${agent.id}/absences/${absences[0].id}`, { token: agent.api_token, status: 204 });
  const week = await call('GET', `/api/v1/agents/${agent.id}/bookings?from=${day}T00:00:00Z&limit=1`, { token: agent.api_token, status: 200 });
  assert.equal(week.items.length, 1);
  await call('GET', `/api/v1/agents/${agent.id}/bookings?after=${week.next}`, { token: agent.api_token, status: 200 });
  await call('GET', `/api/v1/organisations/${org.id}/bookings?status=confirmed`, { token: ADMIN, status: 200 });
  const mine = await call('GET', '/api/v1/me/bookings', { token: desk.api_token, status: 200 });
  assert.equal(mine.items.length, 1);
  const hooks = await call('GET', `/api/v1/organisations/${org.id}/webhooks`, { token: ADMIN, status: 200 });
  await call('PATCH', `/api/v1/organisations/${org.id}/webhooks/${hooks[0].id}`, { token: ADMIN, status: 200, body: { events: ['booking.reassigned'] } });
  await call('GET', `/api/v1/agents/${agent.id}`, { token: agent.api_token, status: 200 });
  await call('DELETE', `/api/v1/organisations/${org.id}/webhooks/${hooks[0].id}`, { token: ADMIN, status: 204 });
  await call('DELETE', `/api/v1/agents/${agent.id}/openings/${openings[0].id}`, { token: agent.api_token, status: 204 });

  // A colleague takes the bookings over, one by hand and the rest at once.
  const colleague = await call('POST', `/api/v1/organisations/${org.id}/agents`, {
    token: ADMIN, status: 201, body: { name: 'Rosa Lima' },
  });
  await call('POST', `/api/v1/agents/${colleague.id}/openings`, {
    token: colleague.api_token, status: 201,
    body: { place_id: place.id, service_ids: [service.id], start: `${day}T08:00`, end: `${day}T10:00` },
  });
  const given = await call('POST', `/api/v1/bookings/${booking.id}/reassign`, { token: ADMIN, status: 200, body: { agent_id: colleague.id } });
  assert.equal(given.agent_id, colleague.id);
  const rest = await call('POST', `/api/v1/agents/${agent.id}/bookings/reassign`, { token: ADMIN, status: 200, body: { to_agent_id: colleague.id } });
  assert.deepEqual(rest.reassigned, [onBehalf.id]);
  await call('POST', `/api/v1/bookings/${booking.id}/cancel?token=${token}`, { status: 200, body: { reason: 'Plus besoin' } });
  const withdrawn = await call('POST', `/api/v1/bookings/${onBehalf.id}/mandate/withdraw`, { token: ADMIN, status: 200 });
  assert.notEqual(withdrawn.mandate.withdrawn_at, null);
  await call('POST', `/api/v1/bookings/${onBehalf.id}/mandate/withdraw`, { token: ADMIN, status: 409 });
  const data = await call('POST', '/api/v1/residents/export', { token: ADMIN, status: 200, body: { phone: '+594694000000' } });
  assert.equal(data.bookings.length, 1);
  const erased = await call('POST', '/api/v1/residents/erase', { token: ADMIN, status: 200, body: { phone: '0694 00 00 00' } });
  assert.equal(erased.bookings_erased, 1);
  await call('POST', `/api/v1/bookings/${booking.id}/cancel?token=${token}`, { status: 409, body: {} });

  // Closing: an empty organisation goes, one with a history is archived.
  const empty = await call('POST', '/api/v1/organisations', { token: ADMIN, status: 201, body: { name: 'Syndicat dissous' } });
  await call('DELETE', `/api/v1/organisations/${empty.id}`, { token: ADMIN, status: 204 });
  const closed = await call('DELETE', `/api/v1/organisations/${org.id}`, { token: ADMIN, status: 200 });
  assert.equal(closed.archived, true);
  await call('GET', '/api/v1/organisations?archived=true', { token: ADMIN, status: 200 });
  await call('PATCH', `/api/v1/organisations/${org.id}`, { token: ADMIN, status: 200, body: { archived: false } });
});

test('staff accounts match the contract', async () => {
  const territory = await call('POST', '/api/v1/territories', { token: ADMIN, status: 201, body: { name: 'Ouest guyanais' } });
  await call('GET', '/api/v1/territories', { token: ADMIN, status: 200 });
  const org = await call('POST', '/api/v1/organisations', {
    token: ADMIN, status: 201, body: { name: 'CC Ouest Guyane', kind: 'epci', timezone: 'America/Cayenne' },
  });
  const moved = await call('PUT', `/api/v1/organisations/${org.id}/territory`, {
    token: ADMIN, status: 200, body: { territory_id: territory.id },
  });
  assert.equal(moved.territory_id, territory.id);
  const invited = await call('POST', '/api/v1/accounts', {
    token: ADMIN, status: 201,
    body: { name: 'Line Pierre', email: 'Line.Pierre@ccog.fr', memberships: [{ role: 'org_admin', organisation_id: org.id }] },
  });
  assert.equal(invited.status, 'invited');
  await call('POST', '/api/v1/accounts', {
    token: ADMIN, status: 409,
    body: { name: 'Doublon', email: 'line.pierre@ccog.fr', memberships: [{ role: 'desk', organisation_id: org.id }] },
  });
  const link = new URL(invited.invitation_url).searchParams.get('token');
  assert.match(await call('GET', `/compte/mot-de-passe?token=${link}`, { status: 200 }), /type="password"/);
  await call('POST', '/api/v1/auth/password', { status: 400, body: { token: link, password: 'court' } });
  await call('POST', '/api/v1/auth/password', { status: 200, body: { token: link, password: 'Maroni-en-pirogue-2026' } });
  await call('POST', '/api/v1/auth/sign-in', { status: 401, body: { email: 'line.pierre@ccog.fr', password: 'nope' } });
  // No OpenID Connect provider is configured here (tests/e2e/oidc_test.cpp has one).
  await call('GET', '/api/v1/auth/oidc', { status: 404 });
  await call('GET', '/api/v1/auth/oidc/callback?code=c&state=s', { status: 404 });
  const me = await call('POST', '/api/v1/auth/sign-in', {
    status: 200, body: { email: 'line.pierre@ccog.fr', password: 'Maroni-en-pirogue-2026' },
  });
  assert.equal(me.status, 'active');
  const cookie = lastSetCookie.split(';')[0];
  await call('GET', '/api/v1/me', { cookie, status: 200 });
  const created = await call('POST', '/api/v1/me/tokens', { cookie, status: 201, body: { name: 'export', expires_at: '2031-01-01T00:00:00Z' } });
  await call('GET', '/api/v1/me/tokens', { token: created.token, status: 200 });
  await call('DELETE', `/api/v1/me/tokens/${created.id}`, { cookie, status: 204 });
  await call('GET', '/api/v1/me', { token: created.token, status: 401 });

  const page = await call('GET', `/api/v1/accounts?organisation_id=${org.id}`, { cookie, status: 200 });
  assert.equal(page.items.length, 1);
  await call('GET', '/api/v1/accounts?status=active&limit=10', { token: ADMIN, status: 200 });
  const agent = await call('POST', '/api/v1/accounts', {
    cookie, status: 201,
    body: { name: 'Théo Anelli', email: 'theo@ccog.fr', phone: '0694 00 00 01', memberships: [{ role: 'agent', organisation_id: org.id }] },
  });
  assert.notEqual(agent.agent_id, null);
  await call('GET', `/api/v1/accounts/${agent.id}`, { cookie, status: 200 });
  await call('PATCH', `/api/v1/accounts/${agent.id}`, { cookie, status: 200, body: { name: 'Théo Anelli-Joseph' } });
  await call('POST', `/api/v1/accounts/${agent.id}/invitation`, { cookie, status: 200 });
  await call('POST', `/api/v1/accounts/${agent.id}/deactivate`, { cookie, status: 200 });
  await call('POST', '/api/v1/auth/password-reset', { status: 202, body: { email: 'line.pierre@ccog.fr' } });
  await call('PATCH', `/api/v1/territories/${territory.id}`, { token: ADMIN, status: 200, body: { name: 'Ouest de la Guyane' } });
  await call('GET', `/api/v1/territories/${territory.id}`, { token: ADMIN, status: 200 });
  const spare = await call('POST', '/api/v1/territories', { token: ADMIN, status: 201, body: { name: 'Provisoire' } });
  await call('DELETE', `/api/v1/territories/${spare.id}`, { token: ADMIN, status: 204 });
  const audit = await call('GET', '/api/v1/audit?action=sign_in&limit=5', { token: ADMIN, status: 200 });
  assert.ok(audit.items.length >= 1);
  await call('GET', '/api/v1/audit', { cookie, status: 403 });
  await call('POST', '/api/v1/auth/sign-out', { cookie, status: 204 });
  await call('GET', '/api/v1/me', { cookie, status: 401 });
});

test('errors match the contract', async () => {
  await call('GET', '/api/v1/services/999999', { status: 404 });
  await call('GET', '/api/v1/slots?service=999999', { status: 404 });
  await call('POST', '/api/v1/organisations', { status: 401, body: { name: 'X' } });
});

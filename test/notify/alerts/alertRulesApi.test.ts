import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessWorld } from '../../helpers/accessWorld.ts';
import { DEFAULT_SETTINGS } from '../../../src/notify/alerts/ruleSettings.ts';

let world: AccessWorld;
beforeAll(async () => {
  world = await AccessWorld.start('alert_rules_api');
}, 60_000);
afterAll(() => world?.close());

const rules = (url = '/api/clients/alpha/alert-rules') => ({ method: 'GET' as const, url });
const put = (payload: object, url = '/api/clients/alpha/alert-rules') => ({ method: 'PUT' as const, url, payload });

describe('alert rules API', () => {
  it('answers the defaults for a client without overrides, in its time zone', async () => {
    const res = await world.inject(await world.actor('operator (alpha)'), rules());
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ clientId: 'alpha', timezone: 'Australia/Sydney', ...DEFAULT_SETTINGS, overrides: {} });
  });

  it('stores overrides, keeps every other setting at its default, and records who changed what', async () => {
    const operator = await world.actor('operator (alpha)');
    const body = {
      businessHours: { days: [1, 2, 3, 4, 5], start: '08:30', end: '18:00' },
      rules: { 'no-data': { minExpected: 30, businessHoursOnly: true }, 'accept-drop': { enabled: false, mutedUntil: '2030-01-01T00:00:00Z' } },
    };
    const res = await world.inject(operator, put(body));
    expect(res.statusCode).toBe(200);
    const answer = res.json();
    expect(answer.overrides).toEqual(body);
    expect(answer.rules['no-data']).toEqual({ ...DEFAULT_SETTINGS.rules['no-data'], minExpected: 30, businessHoursOnly: true });
    expect(answer.rules['accept-drop']).toEqual({ ...DEFAULT_SETTINGS.rules['accept-drop'], enabled: false, mutedUntil: '2030-01-01T00:00:00Z' });
    expect(answer.rules['widget-open-drop']).toEqual(DEFAULT_SETTINGS.rules['widget-open-drop']);
    expect((await world.inject(operator, rules())).json()).toEqual(answer);
    const { rows } = await world.db.query(`SELECT actor_label, target, details FROM access.audit WHERE action = 'alert-rules-changed'`);
    expect(rows).toEqual([{
      actor_label: expect.any(String), target: 'alpha',
      details: { fields: 'businessHours, no-data.minExpected, no-data.businessHoursOnly, accept-drop.enabled, accept-drop.mutedUntil' },
    }]);
  });

  it('answers 400 naming the field for a bad value, and changes nothing', async () => {
    const admin = await world.actor('admin');
    const before = (await world.inject(admin, rules())).json();
    const cases: [object, string][] = [
      [{ rules: { 'no-data': { pValue: 2 } } }, 'rules.no-data.pValue'],
      [{ rules: { 'no-data': { pvalue: 0.1 } } }, 'rules.no-data.pvalue'],
      [{ rules: { 'kpi-drop': {} } }, 'rules.kpi-drop'],
      [{ rules: { 'accept-drop': { enabled: 'false' } } }, 'rules.accept-drop.enabled'],
      [{ businessHours: { days: [1], start: '9am', end: '17:00' } }, 'businessHours.start'],
      [{ businessHours: { days: [1], start: '18:00', end: '17:00' } }, 'businessHours.end'],
      [{ rules: { 'no-data': { mutedUntil: 'tomorrow' } } }, 'rules.no-data.mutedUntil'],
      [{ rules: { 'unanswered-handoffs': { maxUnanswered: 2, resolveAtMost: 3 } } }, 'rules.unanswered-handoffs.resolveAtMost'],
    ];
    for (const [body, field] of cases) {
      const res = await world.inject(admin, put(body));
      expect([JSON.stringify(body), res.statusCode]).toEqual([JSON.stringify(body), 400]);
      expect(res.json().error.message.startsWith(`${field}:`), res.json().error.message).toBe(true);
    }
    expect((await world.inject(admin, rules())).json()).toEqual(before);
  });

  it('is 404 for an unknown client and for one the operator does not see, 403 for a member of the client', async () => {
    const operator = await world.actor('operator (alpha)');
    for (const url of ['/api/clients/nobody/alert-rules', '/api/clients/beta/alert-rules']) {
      expect((await world.inject(operator, rules(url))).statusCode).toBe(404);
      expect((await world.inject(operator, put({}, url))).statusCode).toBe(404);
    }
    const editor = await world.actor('alpha editor');
    expect((await world.inject(editor, rules())).statusCode).toBe(403);
    expect((await world.inject(editor, put({}))).statusCode).toBe(403);
    expect((await world.inject(await world.actor('beta viewer'), rules())).statusCode).toBe(404);
  });

  it('lists alerts and their history only for the clients the caller sees, and checks the state filter', async () => {
    await world.db.query(
      `INSERT INTO notify.alerts (client_id, rule, state, since, title, evaluated_at) VALUES
         ('alpha', 'no-data', 'firing', '2026-11-18T11:01:00Z', 'Client alpha: no chatbot sessions for 1 h (usually 40)', '2026-11-18T11:01:00Z'),
         ('beta', 'no-data', 'pending', '2026-11-18T11:00:00Z', 'Client beta: quiet', '2026-11-18T11:00:00Z')`,
    );
    await world.db.query(
      `INSERT INTO notify.alert_history (alert_id, client_id, rule, at, from_state, to_state, title)
       SELECT id, client_id, rule, since, 'pending', state, title FROM notify.alerts`,
    );
    const viewer = await world.actor('alpha viewer');
    const alerts = (await world.inject(viewer, { method: 'GET', url: '/api/alerts?state=firing,pending' })).json().alerts;
    expect(alerts.map((a: { clientId: string; state: string }) => `${a.clientId}:${a.state}`)).toEqual(['alpha:firing']);
    const admin = await world.actor('admin');
    const all = (await world.inject(admin, { method: 'GET', url: '/api/alerts?state=pending' })).json().alerts;
    expect(all.map((a: { clientId: string }) => a.clientId)).toEqual(['beta']);
    const history = (await world.inject(viewer, { method: 'GET', url: '/api/alerts/history' })).json();
    expect(history.changes.map((c: { clientId: string; to: string }) => `${c.clientId}:${c.to}`)).toEqual(['alpha:firing']);
    expect((await world.inject(viewer, { method: 'GET', url: '/api/alerts?clientId=beta' })).statusCode).toBe(404);
    const bad = await world.inject(viewer, { method: 'GET', url: '/api/alerts?state=burning' });
    expect([bad.statusCode, bad.json().error.message]).toEqual([400, 'state: "burning" is not one of ok, pending, firing, resolved']);
  });
});

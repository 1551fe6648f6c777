// Conformance of tests/fakes/vault.py, driven through the official-ish Node client node-vault@0.12.0
// (pinned in tests/package-lock.json) and plain fetch for what the SDK does not do.
// Run: cd tests && KS_PYTHON3=python3 KS_FAKES_DIR=$PWD/fakes node --test conformance/vault.test.mjs
import { test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const nodeVault = require('node-vault');

const here = path.dirname(fileURLToPath(import.meta.url));
const fakesDir = process.env.KS_FAKES_DIR || path.join(here, '..', 'fakes');
const seedFile = path.join(here, '..', 'data', 'vault', 'seed.json');
const seedText = readFileSync(seedFile, 'utf8');
for (const v of ['VAULT_TOKEN', 'VAULT_ADDR', 'VAULT_NAMESPACE', 'VAULT_PREFIX', 'VAULT_SKIP_VERIFY']) delete process.env[v];

let proc;
let base; // http://127.0.0.1:<port>
const procs = [];

function startFake(extra = []) {
  const p = spawn(process.env.KS_PYTHON3 || 'python3',
    [path.join(fakesDir, 'vault.py'), '--seed', seedFile, '--max-seconds', '120', ...extra],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  procs.push(p);
  return [p, new Promise((resolve, reject) => {
    let buf = '';
    const timer = setTimeout(() => reject(new Error('fake did not start')), 10000);
    p.stdout.on('data', (d) => {
      buf += d;
      const m = /READY (\d+) (\w+)/.exec(buf);
      if (m) { clearTimeout(timer); resolve(`${m[2]}://127.0.0.1:${m[1]}`); }
    });
    p.on('exit', (code) => reject(new Error(`fake exited ${code}`)));
  })];
}

before(async () => {
  let ready;
  [proc, ready] = startFake();
  base = await ready;
});

after(() => { for (const p of procs) if (p.exitCode === null) p.kill('SIGTERM'); });

beforeEach(async () => {
  await fetch(`${base}/_fake/vault/seed`, { method: 'POST', body: seedText });
  await fetch(`${base}/_fake/reset`, { method: 'POST' });
});

const vault = (opts = {}) => nodeVault({ endpoint: base, token: 'root-token', ...opts });
const noToken = () => nodeVault({ endpoint: base });

async function rejects(promise, status, message) {
  try {
    await promise;
  } catch (e) {
    assert.ok(e.response, `expected an ApiResponseError, got ${e}`);
    assert.equal(e.response.statusCode, status);
    if (message instanceof RegExp) assert.match(e.message, message);
    else if (message !== undefined) assert.equal(e.message, message);
    return e;
  }
  assert.fail(`expected a rejection with ${status}`);
}

const faults = (list) => fetch(`${base}/_fake/faults`, { method: 'POST', body: JSON.stringify(list) });
const setState = (s) => fetch(`${base}/_fake/vault/state`, { method: 'POST', body: JSON.stringify(s) });
const raw = (method, p, { token = 'root-token', headers = {}, body } = {}) =>
  fetch(`${base}/v1/${p}`, {
    method,
    headers: { ...(token ? { 'X-Vault-Token': token } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });

test('KV v2 read: data/metadata envelope', async () => {
  const r = await vault().read('secret/data/app1/db');
  assert.deepEqual(r.data.data, { PASSWORD: 's3cr3t', USER: 'app' });
  assert.equal(r.data.metadata.version, 1);
  assert.equal(r.data.metadata.deletion_time, '');
  assert.equal(r.data.metadata.destroyed, false);
  assert.equal(r.data.metadata.custom_metadata, null);
  assert.match(r.data.metadata.created_time, /^2024-01-01T\d\d:\d\d:\d\d(\.\d+)?Z$/);
  for (const k of ['request_id', 'lease_id', 'renewable', 'lease_duration', 'wrap_info', 'warnings', 'auth'])
    assert.ok(k in r, k);
});

test('KV v2 missing key and version: 404 {"errors":[]}', async () => {
  const e = await rejects(vault().read('secret/data/app1/nope'), 404, 'Status 404');
  assert.deepEqual(e.response.body, { errors: [] });
  await rejects(vault().read('secret/data/app1/api?version=9'), 404, 'Status 404');
  const r = await vault().read('secret/data/app1/api?version=2');
  assert.deepEqual(r.data.data, { API_TOKEN: 'v2' });
  assert.equal(r.data.metadata.version, 2);
  assert.deepEqual(r.data.metadata.custom_metadata, { env: 'prod' });
});

test('KV v2 soft delete: 404 with data body, undelete, destroy', async () => {
  const c = vault();
  let e = await rejects(c.read('secret/data/app1/api'), 404, 'Status 404');
  assert.equal(e.response.body.errors, undefined);
  assert.equal(e.response.body.data.data, null);
  assert.equal(e.response.body.data.metadata.version, 3);
  assert.notEqual(e.response.body.data.metadata.deletion_time, '');
  assert.equal(e.response.body.data.metadata.destroyed, false);

  assert.equal(await c.write('secret/undelete/app1/api', { versions: [3] }), '');
  assert.deepEqual((await c.read('secret/data/app1/api')).data.data, { API_TOKEN: 'v3' });

  await c.write('secret/destroy/app1/api', { versions: [3] });
  e = await rejects(c.read('secret/data/app1/api'), 404);
  assert.equal(e.response.body.data.metadata.destroyed, true);
  assert.equal(e.response.body.data.metadata.deletion_time, '');
  await c.write('secret/undelete/app1/api', { versions: [3] }); // no effect on a destroyed version
  await rejects(c.read('secret/data/app1/api'), 404);

  // DELETE data/ soft-deletes the latest; LIST still shows the key.
  assert.equal(await c.delete('secret/data/app1/db'), '');
  e = await rejects(c.read('secret/data/app1/db'), 404);
  assert.equal(e.response.body.data.metadata.version, 1);
  assert.deepEqual((await c.list('secret/metadata/app1')).data.keys, ['api', 'db']);
  await c.write('secret/delete/app1/api', { versions: [1, 2] });
  await rejects(c.read('secret/data/app1/api?version=1'), 404);
  await rejects(c.write('secret/delete/app1/api', {}), 400, 'No version number provided');
  // Deleting something absent is still a 204.
  assert.equal(await c.delete('secret/data/never/there'), '');
});

test('KV v2 write and check-and-set', async () => {
  const c = vault();
  let r = await c.write('secret/data/new/x', { data: { a: '1' } });
  assert.equal(r.data.version, 1);
  assert.equal(r.data.deletion_time, '');
  assert.equal(r.data.destroyed, false);
  r = await c.write('secret/data/new/x', { data: { a: '2' }, options: { cas: 1 } });
  assert.equal(r.data.version, 2);
  await rejects(c.write('secret/data/new/x', { data: { a: '3' }, options: { cas: 1 } }), 400,
    'check-and-set parameter did not match the current version');
  await rejects(c.write('secret/data/new/x', { data: { a: '3' }, options: { cas: 0 } }), 400,
    'check-and-set parameter did not match the current version');
  r = await c.write('secret/data/new/y', { data: { a: '1' }, options: { cas: 0 } });
  assert.equal(r.data.version, 1);
  await rejects(c.write('secret/data/new/x', { options: {} }), 400, 'no data provided');
  // Mount-level cas_required, then key-level.
  await rejects(c.write('cas/data/k', { data: { a: '1' } }), 400, 'check-and-set parameter required for this call');
  assert.equal((await c.write('cas/data/k', { data: { a: '1' }, options: { cas: 0 } })).data.version, 1);
  await c.write('secret/metadata/new/x', { cas_required: true });
  await rejects(c.write('secret/data/new/x', { data: { a: '3' } }), 400, 'check-and-set parameter required for this call');
  assert.equal((await c.write('secret/data/new/x', { data: { a: '3' }, options: { cas: 2 } })).data.version, 3);
});

test('KV v2 PATCH (merge-patch) through client.update', async () => {
  const c = vault();
  const r = await c.update('secret/data/app1/db', { data: { USER: null, NEW: 'n' } });
  assert.equal(r.data.version, 2);
  assert.deepEqual((await c.read('secret/data/app1/db')).data.data, { PASSWORD: 's3cr3t', NEW: 'n' });
  await rejects(c.update('secret/data/app1/none', { data: { a: 'b' } }), 404);
  const res = await raw('PATCH', 'secret/data/app1/db', { body: { data: { a: 'b' } }, headers: { 'Content-Type': 'application/json' } });
  assert.equal(res.status, 415);
});

test('KV v2 metadata: custom_metadata, max_versions, delete all', async () => {
  const c = vault();
  assert.equal(await c.write('secret/metadata/app1/db', { custom_metadata: { env: 'dev', n: 5 }, max_versions: 3 }), '');
  for (let i = 0; i < 4; i++) await c.write('secret/data/app1/db', { data: { i: String(i) } });
  const m = (await c.read('secret/metadata/app1/db')).data;
  assert.equal(m.current_version, 5);
  assert.equal(m.oldest_version, 3);
  assert.equal(m.max_versions, 3);
  assert.equal(m.cas_required, false);
  assert.equal(m.delete_version_after, '0s');
  assert.deepEqual(m.custom_metadata, { env: 'dev', n: '5' });
  assert.deepEqual(Object.keys(m.versions).sort(), ['3', '4', '5']);
  assert.equal(m.versions['5'].deletion_time, '');
  await rejects(c.read('secret/data/app1/db?version=1'), 404);
  assert.deepEqual((await c.read('secret/data/app1/db')).data.metadata.custom_metadata, { env: 'dev', n: '5' });
  await rejects(c.write('secret/metadata/app1/db', { custom_metadata: { k: '' } }), 400, /custom_metadata validation failed/);

  assert.equal(await c.delete('secret/metadata/app1/db'), '');
  const e = await rejects(c.read('secret/data/app1/db'), 404);
  assert.deepEqual(e.response.body, { errors: [] });
  await rejects(c.read('secret/metadata/app1/db'), 404);
  assert.deepEqual((await c.list('secret/metadata/app1')).data.keys, ['api']);
  // Metadata written before any version: listed, but the data read is a plain 404.
  await c.write('secret/metadata/app1/pre', { custom_metadata: { a: 'b' } });
  assert.deepEqual((await c.list('secret/metadata/app1')).data.keys, ['api', 'pre']);
  assert.deepEqual((await rejects(c.read('secret/data/app1/pre'), 404)).response.body, { errors: [] });
});

test('LIST: verb, ?list=, folders, 404 when empty', async () => {
  const c = vault();
  assert.deepEqual((await c.list('secret/metadata/')).data.keys, ['app1/', 'gone', 'main/']);
  assert.deepEqual((await c.list('secret/metadata/main/company')).data.keys, ['team/']);
  const e = await rejects(c.list('secret/metadata/nothing'), 404, 'Status 404');
  assert.deepEqual(e.response.body, { errors: [] });
  await rejects(c.list('secret/metadata/app1/db'), 404); // a leaf
  const g = vault({ noCustomHTTPVerbs: true });
  assert.deepEqual((await g.list('secret/metadata/app1')).data.keys, ['api', 'db']);
  let res = await raw('LIST', 'secret/metadata/app1/');
  assert.equal(res.status, 200);
  assert.deepEqual((await res.json()).data.keys, ['api', 'db']);
  res = await raw('GET', 'secret/metadata/app1?list=true');
  assert.deepEqual((await res.json()).data.keys, ['api', 'db']);
  res = await raw('GET', 'secret/metadata/app1?list=false');
  assert.equal(res.status, 404); // a metadata read of "app1", which is no key
  res = await raw('GET', 'secret/metadata/app1?list=maybe');
  assert.equal(res.status, 400);
  res = await raw('LIST', 'secret/data/app1/');
  assert.equal(res.status, 405);
});

test('KV v1: raw map, lease_duration, 204s, list; v1 path on a v2 mount', async () => {
  const c = vault();
  const r = await c.read('kv1/app1/legacy');
  assert.deepEqual(r.data, { value: 'old' });
  assert.equal(r.lease_duration, 2764800);
  assert.equal(await c.write('kv1/app1/new', { k: 'v' }), '');
  assert.deepEqual((await c.read('kv1/app1/new')).data, { k: 'v' });
  await c.write('kv1/app1/new', { data: { k: 'w' } }); // no wrapper on v1: stored as is, replaced whole
  assert.deepEqual((await c.read('kv1/app1/new')).data, { data: { k: 'w' } });
  assert.deepEqual((await c.list('kv1/app1')).data.keys, ['legacy', 'new']);
  assert.deepEqual((await c.list('kv1/')).data.keys, ['app1/']);
  await rejects(c.write('kv1/app1/empty', {}), 400, 'missing data fields');
  assert.equal(await c.delete('kv1/app1/new'), '');
  await rejects(c.read('kv1/app1/new'), 404, 'Status 404');
  await rejects(c.read('kv1/data/app1/legacy'), 404); // v2 API path on a v1 mount: just absent
  await rejects(c.update('kv1/app1/legacy', { a: 'b' }), 405);
  const e = await rejects(c.read('secret/app1/db'), 404, 'Status 404');
  assert.match(e.response.body.warnings[0], /^Invalid path for a versioned K\/V secrets engine.*'vault kv get'/);
});

test('tokens: missing, invalid, insufficient policy, Bearer, generic request', async () => {
  await rejects(noToken().read('secret/data/app1/db'), 403, 'permission denied');
  await rejects(vault({ token: 'nope' }).read('secret/data/app1/db'), 403,
    '2 errors occurred:\n\t* permission denied\n\t* invalid token\n\n');
  const ro = vault({ token: 'ro-token' });
  assert.equal((await ro.read('secret/data/app1/db')).data.data.PASSWORD, 's3cr3t');
  await rejects(ro.read('secret/data/main/company/team/KEY'), 403, '1 error occurred:\n\t* permission denied\n\n');
  await rejects(ro.write('secret/data/app1/db', { data: {} }), 403, /permission denied/);
  assert.deepEqual((await ro.list('secret/metadata/')).data.keys, ['app1/', 'gone', 'main/']);
  await rejects(ro.read('nomount/x'), 403, /permission denied/); // ACL before routing
  await rejects(vault().read('nomount/x'), 404, 'no handler for route "nomount/x". route entry not found.');
  // create vs update: the kestra policy has both; a deny rule wins.
  const k = vault({ token: 'hvs.vaulttokenvalue0001' });
  assert.equal((await k.write('secret/data/k/new', { data: { a: 'b' } })).data.version, 1);
  await rejects(k.write('secret/undelete/app1/api', { versions: [3] }), 403);
  await rejects(vault({ token: 'nou-token' }).write('secret/undelete/app1/api', { versions: [3] }), 403);
  const res = await fetch(`${base}/v1/secret/data/app1/db`, { headers: { Authorization: 'Bearer root-token' } });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'application/json');
  const g = await vault().request({ path: '/secret/config', method: 'GET' });
  assert.equal(g.data.max_versions, 0);
  const l = await vault().request({ path: '/secret/metadata/app1', method: 'LIST' });
  assert.deepEqual(l.data.keys, ['api', 'db']);
});

test('token num_uses: revoked after its last use', async () => {
  const c = vault({ token: 'once-token' });
  await c.read('secret/data/app1/db');
  await c.read('secret/data/app1/db');
  await rejects(c.read('secret/data/app1/db'), 403, /invalid token/);
});

test('tokenLookupSelf, renew-self, revoke-self', async () => {
  const d = (await vault({ token: 'hvs.vaulttokenvalue0001' }).tokenLookupSelf()).data;
  assert.equal(d.display_name, 'token-kestra');
  assert.deepEqual(d.policies, ['default', 'kestra']);
  assert.equal(d.ttl, 3600);
  assert.equal(d.id, 'hvs.vaulttokenvalue0001');
  assert.equal(d.type, 'service');
  const root = (await vault().tokenLookupSelf()).data;
  assert.deepEqual(root.policies, ['root']);
  assert.equal(root.ttl, 0);
  assert.equal(root.expire_time, null);
  const c = vault({ token: 'ro-token' });
  const rn = await c.tokenRenewSelf();
  assert.equal(rn.auth.client_token, 'ro-token');
  await c.tokenRevokeSelf();
  await rejects(c.tokenLookupSelf(), 403, /invalid token/);
});

test('userpass login', async () => {
  const c = noToken();
  const r = await c.userpassLogin({ username: 'john', password: 'vaultuserpassword0001' });
  assert.match(r.auth.client_token, /^hvs\.[0-9a-f]{24}$/);
  assert.deepEqual(r.auth.policies, ['default', 'kestra']);
  assert.deepEqual(r.auth.token_policies, ['default', 'kestra']);
  assert.deepEqual(r.auth.metadata, { username: 'john' });
  assert.equal(r.auth.lease_duration, 2764800);
  assert.equal(r.auth.renewable, true);
  assert.equal(r.auth.token_type, 'service');
  assert.equal(c.token, r.auth.client_token); // node-vault adopts the token
  const me = (await c.tokenLookupSelf()).data;
  assert.equal(me.display_name, 'userpass-john');
  assert.equal(me.path, 'auth/userpass/login/john');
  assert.equal((await c.read('secret/data/app1/db')).data.data.USER, 'app');
  await rejects(noToken().userpassLogin({ username: 'john', password: 'bad' }), 400, 'invalid username or password');
  await rejects(noToken().userpassLogin({ username: 'nobody', password: 'x' }), 400, 'invalid username or password');
  await rejects(noToken().request({ path: '/auth/userpass/login/john', method: 'POST', json: { x: 1 } }), 400, 'missing password');
  await rejects(noToken().request({ path: '/auth/userpass/login/john', method: 'GET' }), 405);
  await rejects(noToken().userpassLogin({ mount_point: 'nosuch', username: 'john', password: 'x' }), 403, 'permission denied');
});

test('AppRole login', async () => {
  const c = noToken();
  const r = await c.approleLogin({ role_id: '11111111-2222-3333-4444-555555555555', secret_id: 'vaultsecretid0001' });
  assert.equal(r.auth.lease_duration, 1200);
  assert.deepEqual(r.auth.metadata, { role_name: 'kestra' });
  assert.equal(c.token, r.auth.client_token);
  assert.equal((await c.tokenLookupSelf()).data.display_name, 'approle');
  await rejects(noToken().approleLogin({ role_id: '11111111-2222-3333-4444-555555555555', secret_id: 'bad' }), 400,
    'invalid role or secret ID');
  await rejects(noToken().approleLogin({ role_id: 'bad', secret_id: 'vaultsecretid0001' }), 400, 'invalid role or secret ID');
  await rejects(noToken().approleLogin({ role_id: '11111111-2222-3333-4444-555555555555' }), 400, 'missing secret_id');
  await rejects(noToken().request({ path: '/auth/approle/login', method: 'POST', json: { secret_id: 'x' } }), 500, 'missing role_id');
});

test('Kubernetes login', async () => {
  const jwt = JSON.parse(seedText).kubernetes.kestra.jwt;
  // SDK quirk: node-vault renders {{kubernetesPath}} from the call's arguments, not from its config,
  // so without mount_point it posts to /v1/auth//login (Go's mux answers 301 to /v1/auth/login).
  await rejects(noToken().kubernetesLogin({ role: 'kestra', jwt }), 403, 'permission denied');
  const log = await (await fetch(`${base}/_fake/requests`)).json();
  assert.deepEqual(log.map((e) => `${e.method} ${e.path}`), ['POST /v1/auth//login', 'GET /v1/auth/login']);
  const c = noToken();
  const r = await c.kubernetesLogin({ mount_point: 'kubernetes', role: 'kestra', jwt });
  assert.equal(r.auth.metadata.role, 'kestra');
  assert.equal(r.auth.metadata.service_account_name, 'kestra');
  assert.deepEqual(r.auth.policies, ['default', 'kestra-ro']);
  assert.equal((await c.read('secret/data/app1/db')).data.data.USER, 'app');
  await rejects(c.write('secret/data/app1/db', { data: {} }), 403);
  const k8s = (args) => noToken().kubernetesLogin({ mount_point: 'kubernetes', ...args });
  await rejects(k8s({ role: 'kestra', jwt: 'other.jwt.value' }), 403, 'permission denied');
  await rejects(k8s({ role: 'nope', jwt }), 400, 'invalid role name "nope"');
  await rejects(k8s({ role: '', jwt }), 400, 'missing role');
});

test('namespaces: header, path prefix, nesting, isolation, bound tokens', async () => {
  const admin = vault({ namespace: 'admin' });
  assert.equal((await admin.read('secret/data/app1/db')).data.data.PASSWORD, 'admin-ns');
  assert.equal((await vault().read('secret/data/app1/db')).data.data.PASSWORD, 's3cr3t');
  assert.equal((await vault().read('admin/secret/data/app1/db')).data.data.PASSWORD, 'admin-ns');
  assert.equal((await vault().read('admin/team1/kv/data/x')).data.data.v, 'team1');
  assert.equal((await vault({ namespace: 'admin/' }).read('team1/kv/data/x')).data.data.v, 'team1');
  assert.equal((await vault({ namespace: 'admin/team1' }).read('kv/data/x')).data.data.v, 'team1');
  await admin.write('secret/data/only/admin', { data: { a: 'b' } });
  await rejects(vault().read('secret/data/only/admin'), 404);
  await rejects(vault({ namespace: 'nope' }).read('secret/data/app1/db'), 404, 'namespace not found');
  // A token of the admin namespace: valid there and below, invalid at the root.
  const t2 = 'hvs.vaulttokenvalue0002';
  await rejects(vault({ token: t2 }).read('secret/data/app1/db'), 403, /invalid token/);
  assert.equal((await vault({ token: t2, namespace: 'admin' }).read('business-unit/data/app1/db')).data.data.PASSWORD, 'admin-bu');
  assert.equal((await vault({ token: t2 }).read('admin/business-unit/data/app1/db')).data.data.PASSWORD, 'admin-bu');
  await rejects(vault({ token: t2, namespace: 'admin' }).read('secret/data/app1/db'), 403, /^1 error occurred/);
  assert.equal((await vault({ token: t2, namespace: 'admin' }).tokenLookupSelf()).data.namespace_path, 'admin/');
  // Login inside a namespace gives a token bound to it.
  const c = noToken();
  c.namespace = 'admin';
  await c.userpassLogin({ username: 'jane', password: 'pw-admin' });
  assert.equal((await c.read('business-unit/data/app1/db')).data.data.PASSWORD, 'admin-bu');
  c.namespace = undefined;
  await rejects(c.read('business-unit/data/app1/db'), 403, /invalid token/);
  await rejects(noToken().userpassLogin({ username: 'jane', password: 'pw-admin' }), 400, 'invalid username or password');
  // Headers as sent.
  const log = await (await fetch(`${base}/_fake/requests`)).json();
  const sent = log.find((e) => e.path === '/v1/secret/data/app1/db' && e.headers['X-Vault-Namespace'] === 'admin');
  assert.ok(sent && sent.headers['X-Vault-Token'] === 'root-token');
});

test('KV preflight: sys/internal/ui/mounts', async () => {
  const c = vault();
  let d = (await c.read('sys/internal/ui/mounts/secret/app1/db')).data;
  assert.equal(d.path, 'secret/');
  assert.equal(d.type, 'kv');
  assert.deepEqual(d.options, { version: '2' });
  assert.deepEqual((await c.read('sys/internal/ui/mounts/kv1/app1/legacy')).data.options, { version: '1' });
  assert.equal((await c.read('sys/internal/ui/mounts/business-unit')).data.path, 'business-unit/');
  await rejects(c.read('sys/internal/ui/mounts/nope/x'), 403,
    'preflight capability check returned 403, please ensure client\'s policies grant access to path "nope/x/"');
  await rejects(noToken().read('sys/internal/ui/mounts/nope/x'), 403, /^preflight capability check returned 403/);
  await rejects(noToken().read('sys/internal/ui/mounts/secret/x'), 403, 'permission denied');
  const ro = vault({ token: 'ro-token' });
  assert.equal((await ro.read('sys/internal/ui/mounts/secret/app1/db')).data.path, 'secret/');
  await rejects(ro.read('sys/internal/ui/mounts/kv1/app1/legacy'), 403, /preflight capability check returned 403.*"kv1\/app1\/legacy\/"/);
  // Namespaces: from the parent the path carries the namespace; from inside it does not.
  assert.equal((await c.read('sys/internal/ui/mounts/admin/secret/x')).data.path, 'admin/secret/');
  assert.equal((await vault({ namespace: 'admin' }).read('sys/internal/ui/mounts/secret/x')).data.path, 'secret/');
  assert.equal((await c.read('admin/sys/internal/ui/mounts/business-unit/x')).data.path, 'business-unit/');
});

test('sys/mounts and sys/health', async () => {
  const m = await vault().mounts();
  assert.deepEqual(m.data['secret/'].options, { version: '2' });
  assert.deepEqual(m.data['kv1/'].options, { version: '1' });
  assert.equal(m.data['sys/'].type, 'system');
  assert.equal(m['secret/'].type, 'kv');
  await rejects(vault({ token: 'ro-token' }).mounts(), 403);
  let h = await noToken().health();
  assert.equal(h.initialized, true);
  assert.equal(h.sealed, false);
  assert.equal(h.standby, false);
  assert.equal(typeof h.version, 'string');
  await setState({ sealed: true });
  h = await noToken().health(); // node-vault does not reject a non-200 health answer
  assert.equal(h.sealed, true);
  let res = await fetch(`${base}/v1/sys/health`);
  assert.equal(res.status, 503);
  res = await fetch(`${base}/v1/sys/health?sealedcode=200`);
  assert.equal(res.status, 200);
  await setState({ sealed: false, standby: true });
  res = await fetch(`${base}/v1/sys/health`);
  assert.equal(res.status, 429);
  assert.equal((await res.json()).standby, true);
  res = await fetch(`${base}/v1/sys/health?standbyok=true`);
  assert.equal(res.status, 200);
  await setState({ standby: false });
});

test('server states: sealed 503, standby 500', async () => {
  await setState({ sealed: true });
  let e = await rejects(vault().read('secret/data/app1/db'), 503, 'Vault is sealed');
  assert.deepEqual(e.response.body, { errors: ['Vault is sealed'] });
  await rejects(noToken().userpassLogin({ username: 'john', password: 'vaultuserpassword0001' }), 503, 'Vault is sealed');
  assert.equal((await (await fetch(`${base}/v1/sys/seal-status`)).json()).sealed, true);
  await setState({ sealed: false, standby: true });
  e = await rejects(vault().read('secret/data/app1/db'), 500, 'local node not active but active cluster node not found');
  await setState({ standby: false });
  assert.equal((await vault().read('secret/data/app1/db')).data.metadata.version, 1);
});

test('fault injection through fakelib: 412, 429, 502, close, then recovery', async () => {
  await faults([
    { match: 'GET /v1/secret/data/app1/db', status: 412, body: { errors: ['required index state not present'] } },
    { match: 'GET /v1/secret/data/app1/db', status: 429, headers: { 'Retry-After': '1' }, body: { errors: ['request path "secret/data/app1/db": rate limit quota exceeded'] } },
    { match: 'GET /v1/secret/data/app1/db', status: 502, body: { errors: ['upstream'] } },
    { match: 'GET /v1/secret/data/app1/db', fault: 'close' },
  ]);
  const c = vault();
  await rejects(c.read('secret/data/app1/db'), 412, 'required index state not present');
  await rejects(c.read('secret/data/app1/db'), 429, /rate limit/);
  await rejects(c.read('secret/data/app1/db'), 502, 'upstream');
  await assert.rejects(c.read('secret/data/app1/db'), (err) => !err.response && /socket|ECONNRESET|hang up|closed/i.test(String(err.code || err.message)));
  assert.equal((await c.read('secret/data/app1/db')).data.metadata.version, 1);
  const log = await (await fetch(`${base}/_fake/requests`)).json();
  assert.equal(log.filter((e) => e.path === '/v1/secret/data/app1/db').length, 5);
});

test('control: dump shows the stored state', async () => {
  await vault().write('secret/data/dump/x', { data: { a: 'b' } });
  const d = await (await fetch(`${base}/_fake/vault/dump`)).json();
  assert.deepEqual(d[''].mounts['secret/'].keys['dump/x'].versions['1'].data, { a: 'b' });
  assert.deepEqual(d['admin/team1/'].mounts['kv/'].keys['x'].versions['1'].data, { v: 'team1' });
  assert.deepEqual(d[''].mounts['kv1/'].data['app1/legacy'], { value: 'old' });
});

test('TLS: --tls-cert/--tls-key with the test CA', async () => {
  const tls = path.join(here, '..', 'data', 'tls');
  const [p, ready] = startFake(['--tls-cert', path.join(tls, 'server.pem'), '--tls-key', path.join(tls, 'server.key')]);
  const url = await ready;
  assert.match(url, /^https:/);
  const c = nodeVault({ endpoint: url, token: 'root-token', requestOptions: { ca: readFileSync(path.join(tls, 'ca.pem')) } });
  assert.equal((await c.read('secret/data/app1/db')).data.data.PASSWORD, 's3cr3t');
  const untrusted = nodeVault({ endpoint: url, token: 'root-token' });
  await assert.rejects(untrusted.read('secret/data/app1/db'), (err) => !err.response);
  p.kill('SIGTERM');
});

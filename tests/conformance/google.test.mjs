// Conformance of tests/fakes/google.py: Google's own SDK (@google-cloud/secret-manager in REST
// fallback mode, google-auth-library) and plain fetch drive the fake, and the test checks that what
// they return or throw is what Google documents. Run from tests/: node --test conformance/google.test.mjs
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createSign, createPrivateKey } from 'node:crypto';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SecretManagerServiceClient } from '@google-cloud/secret-manager';
import { JWT, OAuth2Client, UserRefreshClient, Compute } from 'google-auth-library';
import { Agent } from 'undici';
import gax from 'google-gax';

const PY = process.env.KS_PYTHON3 || 'python3';
const FAKES = process.env.KS_FAKES_DIR || path.resolve('fakes');
const DATA = path.resolve(FAKES, '..', 'data');
const GDATA = path.join(DATA, 'google');
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
const CLOUD = 'https://www.googleapis.com/auth/cloud-platform';
const NUM = '123456789012';
const SA = JSON.parse(readFileSync(path.join(GDATA, 'service-account.json'), 'utf8'));
const LIMITED = JSON.parse(readFileSync(path.join(GDATA, 'limited-service-account.json'), 'utf8'));
const USER = JSON.parse(readFileSync(path.join(GDATA, 'authorized-user.json'), 'utf8'));

const tmp = mkdtempSync(path.join(tmpdir(), 'ks-google-'));
const children = [];

// --- helpers -----------------------------------------------------------------------------------
function writeSeed(extra = {}) {
  const seed = JSON.parse(readFileSync(path.join(GDATA, 'seed.json'), 'utf8'));
  for (const sa of seed.service_accounts) sa.public_key_file = path.join(GDATA, sa.public_key_file);
  Object.assign(seed, extra);
  const file = path.join(tmp, `seed-${children.length}.json`);
  writeFileSync(file, JSON.stringify(seed));
  return file;
}

function startFake(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(PY, [path.join(FAKES, 'google.py'), '--max-seconds', '90', ...args],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(child);
    let out = '';
    const timer = setTimeout(() => reject(new Error('fake did not start: ' + out)), 15000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/READY (\d+) (https?)/);
      if (m) { clearTimeout(timer); resolve({ port: Number(m[1]), scheme: m[2], child }); }
    });
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`fake exited ${code}`)); });
  });
}

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let c = i;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[i] = c >>> 0;
  }
  return t;
})();
function crc32c(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

const b64url = (x) => Buffer.from(typeof x === 'string' ? x : JSON.stringify(x)).toString('base64url');
function makeJwt(claims, key = SA.private_key, header = { alg: 'RS256', typ: 'JWT', kid: SA.private_key_id }) {
  const input = `${b64url(header)}.${b64url(claims)}`;
  const sig = createSign('RSA-SHA256').update(input).sign(createPrivateKey(key));
  return `${input}.${sig.toString('base64url')}`;
}

let fake, base, tokenUrl;

async function postToken(form, url = tokenUrl, init = {}) {
  const res = await fetch(url, {
    method: 'POST', body: new URLSearchParams(form).toString(),
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, ...init,
  });
  return { status: res.status, body: await res.json(), headers: res.headers };
}

async function control(p, body) {
  const res = await fetch(base + p, { method: body === undefined ? 'GET' : 'POST',
    body: body === undefined ? undefined : JSON.stringify(body) });
  assert.equal(res.status, 200, `${p}: ${res.status}`);
  return res.json();
}

// A JWT client (service-account key file flow) whose token request, sent by gtoken to Google's fixed
// URL, is routed to the fake. The assertion keeps aud = https://oauth2.googleapis.com/token, which the
// conformance seed lists in token_audiences.
function jwtClient(key = SA) {
  const client = new JWT({ email: key.client_email, key: key.private_key, keyId: key.private_key_id,
    scopes: [CLOUD] });
  client.transporter.interceptors.request.add({
    resolved: async (opts) => {
      if (String(opts.url) === GOOGLE_TOKEN_URL) opts.url = new URL(tokenUrl);
      return opts;
    },
  });
  return client;
}

// REST fallback client on the fake. With a service-account JWT client the generated client turns on
// self-signed JWTs (useJWTAccessWithScope: the bearer is a JWT the SDK signs itself, AIP-4111);
// viaTokenEndpoint turns that off so the SDK exchanges the JWT at /token instead.
function smClient(authClient, { viaTokenEndpoint = false } = {}) {
  const client = new SecretManagerServiceClient({ fallback: true, apiEndpoint: '127.0.0.1',
    port: fake.port, protocol: 'http', authClient });
  if (viaTokenEndpoint) client.auth.useJWTAccessWithScope = false;
  return client;
}

const HTTP_OF_GRPC = { 3: 400, 5: 404, 6: 409, 7: 403, 8: 429, 9: 400, 10: 409, 14: 503, 16: 401 };

// The pinned SDK (secret-manager 6.3.0 / google-gax 5.0.8 / gaxios 7) surfaces REST errors as the
// GaxiosError of the auth client's fetch: err.code is the HTTP status and the message is the raw
// body (gax-nodejs#1803, fixed later upstream). Decode them with the SDK's own
// GoogleError.parseHttpError, which is what its fallbackRest decoder does, to get the gRPC code.
function grpcError(err) {
  if (err instanceof gax.GoogleError && typeof err.code === 'number' && err.code <= 16) {
    return { code: err.code, message: err.message, http: HTTP_OF_GRPC[err.code] };
  }
  const http = err.status ?? err.response?.status;
  let body = err.response?.data;
  if (body == null || typeof body !== 'string' && typeof body.pipe === 'function') body = err.message;
  const json = typeof body === 'string' ? JSON.parse(body) : structuredClone(body);
  const g = gax.GoogleError.parseHttpError(json);
  return { code: g.code, message: g.message, http };
}

async function rejectsWith(promise, code, re) {
  await assert.rejects(promise, (err) => {
    const g = grpcError(err);
    assert.equal(g.code, code, `code ${g.code}: ${err.message}`);
    assert.equal(g.http, HTTP_OF_GRPC[code], `HTTP status ${g.http} for gRPC code ${code}`);
    if (re) assert.match(g.message, re);
    return true;
  });
}

async function requestLog() {
  return control('/_fake/requests');
}

before(async () => {
  fake = await startFake(['--seed', writeSeed({ token_audiences: [GOOGLE_TOKEN_URL] })]);
  base = `http://127.0.0.1:${fake.port}`;
  tokenUrl = `${base}/token`;
});

after(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
  rmSync(tmp, { recursive: true, force: true });
});

// --- token endpoint ----------------------------------------------------------------------------
test('token endpoint: JWT bearer grant, verified signature and claims', async () => {
  const now = Math.floor(Date.now() / 1000);
  const good = { iss: SA.client_email, aud: tokenUrl, scope: CLOUD, iat: now, exp: now + 3600 };
  const grant = (claims, key, header) => postToken({
    grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: makeJwt(claims, key, header) });

  let r = await grant(good);
  assert.equal(r.status, 200);
  assert.equal(r.body.token_type, 'Bearer');
  assert.match(r.body.access_token, /^ya29\./);
  assert.ok(r.body.expires_in > 3000 && r.body.expires_in <= 3600);
  assert.match(r.headers.get('cache-control'), /no-store/);

  // Signed with another key: refused.
  r = await grant(good, LIMITED.private_key);
  assert.equal(r.status, 400);
  assert.deepEqual(r.body, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
  // Unknown kid for a known account.
  r = await grant(good, SA.private_key, { alg: 'RS256', typ: 'JWT', kid: 'nope' });
  assert.equal(r.body.error, 'invalid_grant');
  // Without kid, the account's keys are tried.
  r = await grant(good, SA.private_key, { alg: 'RS256', typ: 'JWT' });
  assert.equal(r.status, 200);
  // alg none / HS256 refused.
  r = await grant(good, SA.private_key, { alg: 'HS256', typ: 'JWT' });
  assert.equal(r.body.error, 'invalid_grant');
  // Wrong audience.
  r = await grant({ ...good, aud: 'https://example.com/token' });
  assert.equal(r.body.error, 'invalid_grant');
  assert.match(r.body.error_description, /audience/);
  // Google's own URL is only accepted because this seed lists it in token_audiences.
  assert.equal((await grant({ ...good, aud: GOOGLE_TOKEN_URL })).status, 200);
  // Expired, future, too long-lived.
  for (const bad of [{ iat: now - 7200, exp: now - 3600 }, { iat: now + 600, exp: now + 4200 },
    { iat: now, exp: now + 7200 }]) {
    r = await grant({ ...good, ...bad });
    assert.equal(r.status, 400);
    assert.equal(r.body.error, 'invalid_grant');
    assert.match(r.body.error_description, /60 minutes/);
  }
  // Unknown account, missing scope.
  r = await grant({ ...good, iss: 'nobody@kestra-test.iam.gserviceaccount.com' });
  assert.equal(r.body.error, 'invalid_grant');
  r = await grant({ ...good, scope: undefined });
  assert.equal(r.body.error, 'invalid_scope');
  // Domain-wide delegation is not granted to this account.
  r = await grant({ ...good, sub: 'someone@example.com' });
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'unauthorized_client');
  // Grant type and request shape.
  r = await postToken({ grant_type: 'password' });
  assert.deepEqual(r.body, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type: password' });
  r = await postToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' });
  assert.equal(r.body.error, 'invalid_request');
  r = await postToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion: 'a.b' });
  assert.equal(r.body.error, 'invalid_grant');
});

test('token endpoint over TLS: aud must be the https token_uri', async () => {
  const tls = await startFake(['--seed', writeSeed(), '--tls-cert', path.join(DATA, 'tls', 'server.pem'),
    '--tls-key', path.join(DATA, 'tls', 'server.key')]);
  const dispatcher = new Agent({ connect: { ca: readFileSync(path.join(DATA, 'tls', 'ca.pem')) } });
  const url = `https://127.0.0.1:${tls.port}/token`;
  const now = Math.floor(Date.now() / 1000);
  const claims = { iss: SA.client_email, scope: CLOUD, iat: now, exp: now + 3600 };
  let r = await postToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: makeJwt({ ...claims, aud: url }) }, url, { dispatcher });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await postToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: makeJwt({ ...claims, aud: `http://127.0.0.1:${tls.port}/token` }) }, url, { dispatcher });
  assert.equal(r.body.error, 'invalid_grant');
  // No seed token_audiences here: Google's own URL is refused.
  r = await postToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: makeJwt({ ...claims, aud: GOOGLE_TOKEN_URL }) }, url, { dispatcher });
  assert.equal(r.body.error, 'invalid_grant');
  tls.child.kill('SIGTERM');
  await dispatcher.close();
});

test('refresh_token grant (authorized_user) through google-auth-library', async () => {
  const user = new UserRefreshClient({ clientId: USER.client_id, clientSecret: USER.client_secret,
    refreshToken: USER.refresh_token, endpoints: { oauth2TokenUrl: tokenUrl } });
  const { token } = await user.getAccessToken();
  assert.match(token, /^ya29\./);
  const [secret] = await smClient(user).getSecret({ name: 'projects/kestra-test/secrets/readable' });
  assert.equal(secret.name, `projects/${NUM}/secrets/readable`);

  let r = await postToken({ grant_type: 'refresh_token', client_id: USER.client_id,
    client_secret: USER.client_secret, refresh_token: 'wrong' });
  assert.equal(r.status, 400);
  assert.equal(r.body.error, 'invalid_grant');
  r = await postToken({ grant_type: 'refresh_token', client_id: USER.client_id,
    client_secret: 'wrong', refresh_token: USER.refresh_token });
  assert.equal(r.status, 401);
  assert.equal(r.body.error, 'invalid_client');
  // client_secret_basic is accepted as well.
  r = await postToken({ grant_type: 'refresh_token', refresh_token: USER.refresh_token }, tokenUrl,
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded',
      Authorization: 'Basic ' + Buffer.from(`${USER.client_id}:${USER.client_secret}`).toString('base64') } });
  assert.equal(r.status, 200);
  assert.match(r.body.scope, /cloud-platform/);
});

// --- Secret Manager through the SDK ------------------------------------------------------------
test('secret lifecycle through SecretManagerServiceClient (REST fallback)', async () => {
  const auth = jwtClient();
  const sm = smClient(auth);
  const parent = 'projects/kestra-test';
  const [created] = await sm.createSecret({ parent, secretId: 'lifecycle',
    secret: { replication: { automatic: {} }, labels: { key: 'lifecycle', team: 'data' },
      annotations: { namespace: 'company.team' } } });
  assert.equal(created.name, `projects/${NUM}/secrets/lifecycle`);
  assert.deepEqual(created.labels, { key: 'lifecycle', team: 'data' });
  assert.deepEqual(created.annotations, { namespace: 'company.team' });
  assert.ok(created.replication.automatic);
  assert.ok(Number(created.createTime.seconds) > 1.7e9);
  assert.match(created.etag, /^"[0-9a-f]+"$/);

  // The SDK signed its own bearer JWT (scope claim, kid), which the fake verified.
  const log = await requestLog();
  const create = log.find((e) => e.method === 'POST' && e.path.includes('secretId=lifecycle'));
  const bearer = (create.headers.Authorization || create.headers.authorization).split(' ')[1];
  const [h, c] = bearer.split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url')));
  assert.equal(h.kid, SA.private_key_id);
  assert.equal(c.scope, CLOUD);
  assert.equal(c.iss, SA.client_email);

  await rejectsWith(sm.createSecret({ parent, secretId: 'lifecycle',
    secret: { replication: { automatic: {} } } }), 6, /already exists/);
  await rejectsWith(sm.createSecret({ parent, secretId: 'bad.id', secret: { replication: { automatic: {} } } }), 3);
  await rejectsWith(sm.createSecret({ parent, secretId: 'badlabel',
    secret: { replication: { automatic: {} }, labels: { Upper: 'x' } } }), 3);
  await rejectsWith(sm.createSecret({ parent, secretId: 'norep', secret: {} }), 3);

  const [byNumber] = await sm.getSecret({ name: `projects/${NUM}/secrets/lifecycle` });
  assert.equal(byNumber.name, created.name);

  const [updated] = await sm.updateSecret({ secret: { name: `${parent}/secrets/lifecycle`,
    labels: { key: 'lifecycle', team: 'ops' } }, updateMask: { paths: ['labels'] } });
  assert.deepEqual(updated.labels, { key: 'lifecycle', team: 'ops' });
  assert.deepEqual(updated.annotations, { namespace: 'company.team' }, 'annotations untouched');
  const [annotated] = await sm.updateSecret({ secret: { name: `${parent}/secrets/lifecycle`,
    annotations: { namespace: 'company.team', key: 'Life.Cycle' } }, updateMask: { paths: ['annotations'] } });
  assert.equal(annotated.annotations.key, 'Life.Cycle');

  const secretName = `${parent}/secrets/lifecycle`;
  const v1data = Buffer.from('first value');
  const [v1] = await sm.addSecretVersion({ parent: secretName,
    payload: { data: v1data, dataCrc32c: crc32c(v1data) } });
  assert.equal(v1.name, `projects/${NUM}/secrets/lifecycle/versions/1`);
  assert.equal(v1.state, 'ENABLED');
  assert.equal(v1.clientSpecifiedPayloadChecksum, true);
  const v2data = Buffer.from('second välue\n');
  const [v2] = await sm.addSecretVersion({ parent: secretName, payload: { data: v2data } });
  assert.equal(v2.name, `projects/${NUM}/secrets/lifecycle/versions/2`);
  assert.equal(v2.clientSpecifiedPayloadChecksum, false);
  await rejectsWith(sm.addSecretVersion({ parent: secretName,
    payload: { data: v2data, dataCrc32c: crc32c(v2data) ^ 1 } }), 3, /[Cc]hecksum/);

  const [latest] = await sm.accessSecretVersion({ name: `${secretName}/versions/latest` });
  assert.equal(latest.name, `projects/${NUM}/secrets/lifecycle/versions/2`);
  assert.deepEqual(Buffer.from(latest.payload.data), v2data);
  assert.equal(String(latest.payload.dataCrc32c), String(crc32c(v2data)));
  const [first] = await sm.accessSecretVersion({ name: `${secretName}/versions/1` });
  assert.deepEqual(Buffer.from(first.payload.data), v1data);

  const [versions] = await sm.listSecretVersions({ parent: secretName });
  assert.deepEqual(versions.map((v) => v.name.split('/').pop()), ['2', '1'], 'newest first');

  const [disabled] = await sm.disableSecretVersion({ name: `${secretName}/versions/2` });
  assert.equal(disabled.state, 'DISABLED');
  await rejectsWith(sm.accessSecretVersion({ name: `${secretName}/versions/latest` }), 9,
    new RegExp(`Secret Version \\[projects/${NUM}/secrets/lifecycle/versions/2\\] is in DISABLED state`));
  const [enabled] = await sm.enableSecretVersion({ name: `${secretName}/versions/2` });
  assert.equal(enabled.state, 'ENABLED');
  const [destroyed] = await sm.destroySecretVersion({ name: `${secretName}/versions/1` });
  assert.equal(destroyed.state, 'DESTROYED');
  assert.ok(destroyed.destroyTime && Number(destroyed.destroyTime.seconds) > 0);
  await rejectsWith(sm.accessSecretVersion({ name: `${secretName}/versions/1` }), 9, /DESTROYED state/);
  await rejectsWith(sm.destroySecretVersion({ name: `${secretName}/versions/1` }), 9);
  await rejectsWith(sm.getSecretVersion({ name: `${secretName}/versions/9` }), 5);
  const [gotV] = await sm.getSecretVersion({ name: `${secretName}/versions/latest` });
  assert.equal(gotV.name, `projects/${NUM}/secrets/lifecycle/versions/2`);

  await sm.deleteSecret({ name: secretName });
  await rejectsWith(sm.getSecret({ name: secretName }), 5,
    new RegExp(`Secret \\[projects/${NUM}/secrets/lifecycle\\] not found`));
  await rejectsWith(sm.accessSecretVersion({ name: `${secretName}/versions/latest` }), 5);
  await rejectsWith(sm.accessSecretVersion({ name: `${parent}/secrets/no-versions/versions/latest` }), 5,
    /not found or has no versions/);
});

test('listSecrets: paging, filters, order, regional secrets (token-endpoint auth)', async () => {
  await control('/_fake/reset', {});
  const sm = smClient(jwtClient(), { viaTokenEndpoint: true });
  const parent = 'projects/kestra-test';
  for (const id of ['page_a', 'page_b', 'page_c']) {
    await sm.createSecret({ parent, secretId: id,
      secret: { replication: { userManaged: { replicas: [{ location: 'europe-west1' }] } },
        labels: { paging: 'yes' } } });
  }
  // The SDK exchanged its assertion (aud = Google's fixed URL, seeded in token_audiences) at /token.
  const log = await requestLog();
  assert.ok(log.some((e) => e.path === '/token' && e.body.includes('assertion=')));
  const create = log.find((e) => e.path.includes('secretId=page_a'));
  assert.match(create.headers.Authorization || create.headers.authorization, /^Bearer ya29\./);

  const [all] = await sm.listSecrets({ parent, pageSize: 2 });   // autoPaginate follows nextPageToken
  const names = all.map((s) => s.name.split('/').pop());
  assert.ok(names.length >= 8, names.join(','));
  assert.equal(new Set(names).size, names.length, 'no duplicates across pages');
  assert.deepEqual(names.slice(0, 3), ['page_c', 'page_b', 'page_a'], 'newest first');
  assert.ok(all.every((s) => s.name.startsWith(`projects/${NUM}/secrets/`)));

  const [page1, nextReq, raw] = await sm.listSecrets({ parent, pageSize: 2 }, { autoPaginate: false });
  assert.equal(page1.length, 2);
  assert.ok(raw.nextPageToken && nextReq.pageToken === raw.nextPageToken);
  assert.equal(raw.totalSize, names.length);
  const [page2] = await sm.listSecrets({ parent, pageSize: 2, pageToken: raw.nextPageToken },
    { autoPaginate: false });
  assert.equal(page2[0].name, all[2].name);
  await rejectsWith(sm.listSecrets({ parent, pageToken: 'garbage' }, { autoPaginate: false }), 3);

  const [paged] = await sm.listSecrets({ parent, filter: 'labels.paging=yes' });
  assert.deepEqual(paged.map((s) => s.name.split('/').pop()).sort(), ['page_a', 'page_b', 'page_c']);
  assert.deepEqual(paged[0].replication.userManaged.replicas.map((r) => r.location), ['europe-west1']);
  const [, , rawF] = await sm.listSecrets({ parent, filter: 'labels.paging=yes' }, { autoPaginate: false });
  assert.equal(rawF.totalSize, 0, 'totalSize is 0 with a filter');
  const [team] = await sm.listSecrets({ parent, filter: 'labels.team=data AND name:API' });
  assert.deepEqual(team.map((s) => s.name), [`projects/${NUM}/secrets/company_team_API_KEY`]);
  assert.deepEqual(team[0].annotations, { key: 'API_KEY', namespace: 'company.team' });
  const [either] = await sm.listSecrets({ parent, filter: 'name:page_a OR name:page_b' });
  assert.equal(either.length, 2);
  const [noLabel] = await sm.listSecrets({ parent, filter: 'NOT labels.team:*' });
  assert.ok(noLabel.every((s) => !s.labels.team));
  await rejectsWith(sm.listSecrets({ parent, filter: 'name ~ "x.*"' }), 3);

  // Regional secrets: projects/{p}/locations/{l}/secrets, no replication block.
  const regional = 'projects/kestra-test/locations/europe-west1';
  const [reg] = await sm.createSecret({ parent: regional, secretId: 'reg_new', secret: { labels: { r: '1' } } });
  assert.equal(reg.name, `projects/${NUM}/locations/europe-west1/secrets/reg_new`);
  assert.equal(reg.replication, null);
  const [regList] = await sm.listSecrets({ parent: regional });
  assert.deepEqual(regList.map((s) => s.name.split('/').pop()).sort(), ['reg_new', 'regional-one']);
  const [regValue] = await sm.accessSecretVersion({ name: `${regional}/secrets/regional-one/versions/latest` });
  assert.equal(Buffer.from(regValue.payload.data).toString(), 'eu-value');
  assert.equal(regValue.name, `projects/${NUM}/locations/europe-west1/secrets/regional-one/versions/1`);
  await rejectsWith(sm.createSecret({ parent: regional, secretId: 'reg_rep',
    secret: { replication: { automatic: {} } } }), 3);
});

test('auth and permission errors carry the gRPC codes', async () => {
  // Unknown bearer token -> 401 UNAUTHENTICATED (16).
  const bogus = new OAuth2Client();
  bogus.setCredentials({ access_token: 'ya29.not-issued', expiry_date: Date.now() + 3600e3 });
  await rejectsWith(smClient(bogus).getSecret({ name: 'projects/kestra-test/secrets/readable' }), 16,
    /invalid authentication credentials/);

  // A service account allowed on one secret only.
  const limited = smClient(jwtClient(LIMITED));
  const [ok] = await limited.accessSecretVersion({ name: 'projects/kestra-test/secrets/readable/versions/latest' });
  assert.equal(Buffer.from(ok.payload.data).toString(), 'hello');
  await rejectsWith(limited.getSecret({ name: 'projects/kestra-test/secrets/company_team_API_KEY' }), 7,
    /Permission 'secretmanager.secrets.get' denied for resource 'projects\/kestra-test\/secrets\/company_team_API_KEY' \(or it may not exist\)/);
  // Denial masks non-existence.
  await rejectsWith(limited.getSecret({ name: 'projects/kestra-test/secrets/does-not-exist' }), 7);
  await rejectsWith(limited.createSecret({ parent: 'projects/kestra-test', secretId: 'x',
    secret: { replication: { automatic: {} } } }), 7);
  await rejectsWith(limited.listSecrets({ parent: 'projects/kestra-test' }), 7);
  // Unknown project, disabled API.
  const admin = smClient(jwtClient());
  await rejectsWith(admin.listSecrets({ parent: 'projects/no-such-project' }), 7);
  await rejectsWith(admin.listSecrets({ parent: 'projects/disabled-api' }), 7, /has not been used/);

  // Self-signed JWTs used directly as bearer tokens (AIP-4111).
  const now0 = Math.floor(Date.now() / 1000);
  const selfSigned = { iss: SA.client_email, sub: SA.client_email, iat: now0, exp: now0 + 3600 };
  const readable = `${base}/v1/projects/kestra-test/secrets/readable`;
  const withBearer = (jwt) => fetch(readable, { headers: { Authorization: `Bearer ${jwt}` } });
  assert.equal((await withBearer(makeJwt({ ...selfSigned, aud: 'https://secretmanager.googleapis.com/' }))).status, 200);
  assert.equal((await withBearer(makeJwt({ ...selfSigned, scope: CLOUD }))).status, 200);
  assert.equal((await withBearer(makeJwt({ ...selfSigned, scope: CLOUD,
    aud: 'https://secretmanager.googleapis.com/' }))).status, 401, 'aud and scope, never both');
  assert.equal((await withBearer(makeJwt({ ...selfSigned, scope: CLOUD }, LIMITED.private_key))).status, 401);
  assert.equal((await withBearer(makeJwt({ ...selfSigned, aud: 'https://example.com/' }))).status, 401);

  // A key signed with the wrong private key never gets a token.
  const wrong = jwtClient({ ...SA, private_key: LIMITED.private_key });
  await assert.rejects(wrong.getAccessToken(), /invalid_grant|Invalid JWT Signature/);

  // Expired tokens -> 401 ACCESS_TOKEN_EXPIRED, raw.
  const { token } = await jwtClient().getAccessToken();
  const url = `${base}/v1/projects/kestra-test/secrets/readable`;
  let res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  res = await fetch(url);
  assert.equal(res.status, 401);
  const missing = await res.json();
  assert.equal(missing.error.status, 'UNAUTHENTICATED');
  assert.equal(missing.error.details[0].reason, 'CREDENTIALS_MISSING');
  await control('/_fake/google/expire-tokens', {});
  res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 401);
  assert.match(res.headers.get('www-authenticate'), /Bearer/);
  const expired = await res.json();
  assert.deepEqual(Object.keys(expired.error).sort(), ['code', 'details', 'message', 'status']);
  assert.equal(expired.error.code, 401);
  assert.equal(expired.error.details[0].reason, 'ACCESS_TOKEN_EXPIRED');
  // A token without the cloud-platform scope: 403 insufficient scopes.
  const now = Math.floor(Date.now() / 1000);
  const r = await postToken({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
    assertion: makeJwt({ iss: SA.client_email, aud: tokenUrl, iat: now, exp: now + 600,
      scope: 'https://www.googleapis.com/auth/devstorage.read_only' }) });
  res = await fetch(url, { headers: { Authorization: `Bearer ${r.body.access_token}` } });
  assert.equal(res.status, 403);
  assert.equal((await res.json()).error.details[0].reason, 'ACCESS_TOKEN_SCOPE_INSUFFICIENT');
});

test('raw wire shapes: int64 strings, enums, unknown parameters', async () => {
  const { token } = await jwtClient().getAccessToken();
  const h = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
  const secret = `${base}/v1/projects/kestra-test/secrets/company_team_API_KEY`;
  let res = await fetch(`${secret}/versions/latest:access`, { headers: h });
  const body = await res.json();
  assert.equal(typeof body.payload.dataCrc32c, 'string');
  assert.equal(body.payload.dataCrc32c, String(crc32c(Buffer.from('s3cr3t'))));
  res = await fetch(`${secret}/versions`, { headers: h });
  const list = await res.json();
  assert.deepEqual(list.versions.map((v) => v.state), ['ENABLED', 'DISABLED']);
  assert.match(list.versions[0].createTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{3}|\.\d{6}|\.\d{9})?Z$/);
  res = await fetch(`${secret}/versions?$alt=json;enum-encoding=int`, { headers: h });
  assert.deepEqual((await res.json()).versions.map((v) => v.state), [1, 2]);
  res = await fetch(`${secret}?bogus=1`, { headers: h });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error.message, /Cannot bind query parameter/);
  // dataCrc32c as a number is accepted too (int64 in proto3 JSON).
  res = await fetch(`${secret}:addVersion`, { method: 'POST', headers: h,
    body: JSON.stringify({ payload: { data: Buffer.from('n').toString('base64'), dataCrc32c: crc32c(Buffer.from('n')) } }) });
  assert.equal(res.status, 200);
  res = await fetch(`${secret}:addVersion`, { method: 'POST', headers: h,
    body: JSON.stringify({ payload: { data: 'bm8=', dataCrc32c: '1' } }) });
  assert.equal(res.status, 400);
  assert.equal((await res.json()).error.status, 'INVALID_ARGUMENT');
  // Unknown path: Google's HTML 404.
  res = await fetch(`${base}/v1/projects/kestra-test/nothing`, { headers: h });
  assert.equal(res.status, 404);
  assert.match(res.headers.get('content-type'), /text\/html/);
});

// --- metadata server ---------------------------------------------------------------------------
test('metadata server: Metadata-Flavor, identity, token usable by the SDK', async () => {
  let res = await fetch(`${base}/`);
  assert.equal(res.headers.get('metadata-flavor'), 'Google');
  const md = `${base}/computeMetadata/v1`;
  res = await fetch(`${md}/instance/service-accounts/default/token`);
  assert.equal(res.status, 403);
  assert.equal(res.headers.get('metadata-flavor'), 'Google');
  const flavor = { 'Metadata-Flavor': 'Google' };
  res = await fetch(`${md}/instance/service-accounts/default/token`, { headers: flavor });
  assert.equal(res.status, 200);
  const tok = await res.json();
  assert.equal(tok.token_type, 'Bearer');
  assert.ok(tok.expires_in > 0);
  assert.equal(await (await fetch(`${md}/instance/service-accounts/default/email`, { headers: flavor })).text(),
    'vm-sa@kestra-test.iam.gserviceaccount.com');
  assert.equal(await (await fetch(`${md}/project/project-id`, { headers: flavor })).text(), 'kestra-test');
  assert.equal(await (await fetch(`${md}/project/numeric-project-id`, { headers: flavor })).text(), NUM);
  res = await fetch(`${md}/instance/nothing`, { headers: flavor });
  assert.equal(res.status, 404);

  // google-auth-library's Compute client finds the fake through GCE_METADATA_HOST.
  const saved = process.env.GCE_METADATA_HOST;
  process.env.GCE_METADATA_HOST = `127.0.0.1:${fake.port}`;
  try {
    const sm = smClient(new Compute());
    const [v] = await sm.accessSecretVersion({ name: 'projects/kestra-test/secrets/readable/versions/latest' });
    assert.equal(Buffer.from(v.payload.data).toString(), 'hello');
    await rejectsWith(sm.createSecret({ parent: 'projects/kestra-test', secretId: 'vm_made',
      secret: { replication: { automatic: {} } } }), 7);
  } finally {
    if (saved === undefined) delete process.env.GCE_METADATA_HOST; else process.env.GCE_METADATA_HOST = saved;
  }
});

// --- fault injection ---------------------------------------------------------------------------
test('faults: 503 UNAVAILABLE, 429 with Retry-After, garbage body, corrupt CRC', async () => {
  const sm = smClient(jwtClient());
  const name = 'projects/kestra-test/secrets/readable/versions/latest';
  await sm.accessSecretVersion({ name });  // token cached
  await control('/_fake/reset', {});
  await control('/_fake/faults', [{ match: 'readable/versions/latest:access', status: 503 }]);
  // AccessSecretVersion is configured to retry UNAVAILABLE, but the pinned SDK's errors carry the
  // HTTP status (503), not 14, so it does not retry (gax-nodejs#1803): the 503 surfaces.
  await rejectsWith(sm.accessSecretVersion({ name }), 14);
  const [v] = await sm.accessSecretVersion({ name });
  assert.equal(Buffer.from(v.payload.data).toString(), 'hello');
  const log = (await requestLog()).filter((e) => e.path.includes(':access'));
  assert.equal(log.length, 2, 'one 503, one success');

  await control('/_fake/faults', [{ match: 'GET /v1/projects/kestra-test/secrets/readable', status: 429,
    headers: { 'Retry-After': '2' } }]);
  const url = `${base}/v1/projects/kestra-test/secrets/readable`;
  const { token } = await jwtClient().getAccessToken();
  let res = await fetch(url, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(res.status, 429);
  assert.equal(res.headers.get('retry-after'), '2');
  const body = await res.json();
  assert.equal(body.error.status, 'RESOURCE_EXHAUSTED');
  assert.equal(body.error.code, 429);
  await control('/_fake/faults', [{ match: 'GET /v1/projects/kestra-test/secrets/readable', status: 429 }]);
  await rejectsWith(sm.getSecret({ name: 'projects/kestra-test/secrets/readable' }), 8);

  await control('/_fake/faults', [{ match: 'secrets/readable', fault: 'garbage' }]);
  await assert.rejects(sm.getSecret({ name: 'projects/kestra-test/secrets/readable' }));

  // Token endpoint faults are OAuth-shaped.
  await control('/_fake/faults', [{ match: 'POST /token', status: 503 }]);
  res = await fetch(tokenUrl, { method: 'POST' });
  assert.equal(res.status, 503);
  assert.equal((await res.json()).error, 'internal_failure');

  // Corrupt dataCrc32c: seeded on `corrupt`, switchable on any secret.
  const [c] = await sm.accessSecretVersion({ name: 'projects/kestra-test/secrets/corrupt/versions/latest' });
  assert.notEqual(String(c.payload.dataCrc32c), String(crc32c(Buffer.from(c.payload.data))));
  await control('/_fake/google/corrupt-crc', { secret: 'projects/kestra-test/secrets/readable', on: true });
  const [bad] = await sm.accessSecretVersion({ name });
  assert.notEqual(String(bad.payload.dataCrc32c), String(crc32c(Buffer.from(bad.payload.data))));
  await control('/_fake/google/corrupt-crc', { secret: `projects/${NUM}/secrets/readable`, on: false });
  const [good] = await sm.accessSecretVersion({ name });
  assert.equal(String(good.payload.dataCrc32c), String(crc32c(Buffer.from(good.payload.data))));

  const state = await control('/_fake/google/state');
  assert.equal(state.secrets[`projects/${NUM}/secrets/readable`].versions['1'].data_base64,
    Buffer.from('hello').toString('base64'));
});

// Conformance of tests/fakes/elasticsearch.py, driven by Elastic's official client
// (@elastic/elasticsearch 8.19.2, @elastic/transport 8.11) and by fetch where the client hides the wire.
// Run from tests/: KS_PYTHON3=... KS_FAKES_DIR=$PWD/fakes node --test conformance/elasticsearch.test.mjs
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import { createInterface } from 'node:readline'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { Client, errors } from '@elastic/elasticsearch'

const here = path.dirname(fileURLToPath(import.meta.url))
const PY = process.env.KS_PYTHON3 || 'python3'
const FAKES = process.env.KS_FAKES_DIR || path.join(here, '..', 'fakes')
const SEED = path.join(here, '..', 'data', 'elasticsearch', 'seed.json')

const ELASTIC = { username: 'elastic', password: 'elasticpassword0001' }
const READER = { username: 'reader', password: 'readerpassword0001' }
const API_KEY = Buffer.from('VuaCfGcBCdbkQm-e5aOx:ui2lp2axTNmsyakw9tvNnw').toString('base64')
const RO_KEY = Buffer.from('ReadOnlyKeyId0000001:readonly-secret-00001').toString('base64')
const KESTRA_MAPPING = {
  dynamic: 'strict',
  properties: {
    key: { type: 'keyword' }, namespace: { type: 'keyword' }, tenant: { type: 'keyword' },
    value: { type: 'keyword', index: false, doc_values: false }, description: { type: 'text' },
    tags: { type: 'object', properties: { key: { type: 'keyword' }, value: { type: 'keyword' } } },
    updated: { type: 'date' }
  }
}

const procs = []
const clients = []

function startFake (args) {
  return new Promise((resolve, reject) => {
    const p = spawn(PY, [path.join(FAKES, 'elasticsearch.py'), '--max-seconds', '120', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] })
    procs.push(p)
    let stderr = ''
    p.stderr.on('data', d => { stderr += d })
    const timer = setTimeout(() => reject(new Error('fake did not start: ' + stderr)), 15000)
    p.on('exit', code => { clearTimeout(timer); reject(new Error(`fake exited ${code}: ${stderr}`)) })
    createInterface({ input: p.stdout }).on('line', line => {
      const m = /^READY (\d+) (\w+)/.exec(line)
      if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}`) }
    })
  })
}

function client (url, auth, opts = {}) {
  const c = new Client({ node: url, auth, maxRetries: 2, requestTimeout: 10000, ...opts })
  clients.push(c)
  return c
}

async function expectError (promise, status, type) {
  try {
    await promise
  } catch (e) {
    assert.ok(e instanceof errors.ResponseError, `expected ResponseError, got ${e.name}: ${e.message}`)
    assert.equal(e.statusCode, status, JSON.stringify(e.body))
    if (type) assert.equal(e.body.error.type, type, JSON.stringify(e.body))
    return e
  }
  assert.fail(`expected HTTP ${status}`)
}

async function control (url, p, body) {
  const r = await fetch(url + p, { method: body === undefined ? 'GET' : 'POST', body: body === undefined ? undefined : JSON.stringify(body) })
  return r.json()
}

let url, open, es, esKey
before(async () => {
  ;[url, open] = await Promise.all([
    startFake(['--seed', SEED, '--preload', 'kestra_big:12000']),
    startFake(['--no-auto-create'])
  ])
  es = client(url, ELASTIC)
  esKey = client(url, { apiKey: API_KEY })
})

after(async () => {
  await Promise.allSettled(clients.map(c => c.close()))
  for (const p of procs) { p.removeAllListeners('exit'); p.kill('SIGTERM') }
})

test('info, ping and the product header on every response', async () => {
  const info = await es.info({}, { meta: true })
  assert.equal(info.statusCode, 200)
  assert.equal(info.headers['x-elastic-product'], 'Elasticsearch')
  assert.match(info.body.version.number, /^8\./)
  assert.equal(info.body.tagline, 'You Know, for Search')
  for (const k of ['name', 'cluster_name', 'cluster_uuid']) assert.equal(typeof info.body[k], 'string')
  assert.equal(await es.ping(), true)
  // the client echoes the versioned media type: the fake must answer in kind
  assert.match(info.headers['content-type'], /application\/vnd\.elasticsearch\+json;\s*compatible-with=8/)
  for (const [p, init, status] of [['/', {}, 401], ['/nope/_doc/1', { headers: { authorization: 'Basic ' + Buffer.from('elastic:elasticpassword0001').toString('base64') } }, 404]]) {
    const r = await fetch(url + p, init)
    assert.equal(r.status, status)
    assert.equal(r.headers.get('x-elastic-product'), 'Elasticsearch')
  }
  const head = await fetch(url + '/', { method: 'HEAD', headers: { authorization: 'ApiKey ' + API_KEY } })
  assert.equal(head.status, 200)
  assert.equal(head.headers.get('x-elastic-product'), 'Elasticsearch')
})

test('no security: anonymous requests work, auto-create off answers index_not_found', async () => {
  const c = client(open)
  assert.equal((await c.info()).cluster_name.length > 0, true)
  const e = await expectError(c.index({ index: 'kestra_secrets', id: 'x', document: { a: 1 } }), 404, 'index_not_found_exception')
  assert.match(e.body.error.reason, /action\.auto_create_index\] is \[false\]/)
  await c.indices.create({ index: 'kestra_secrets' })
  const r = await c.index({ index: 'kestra_secrets', id: 'x', document: { a: 1 } })
  assert.equal(r.result, 'created')
})

test('indices: create with mapping, exists, get, already exists, invalid names, delete', async () => {
  const r = await es.indices.create({ index: 'kestra_secrets', settings: { number_of_shards: 1 }, mappings: KESTRA_MAPPING })
  assert.deepEqual(r, { acknowledged: true, shards_acknowledged: true, index: 'kestra_secrets' })
  assert.equal(await es.indices.exists({ index: 'kestra_secrets' }), true)
  assert.equal(await es.indices.exists({ index: 'kestra_none' }), false)
  const got = await es.indices.get({ index: 'kestra_secrets' })
  assert.equal(got.kestra_secrets.mappings.dynamic, 'strict')
  assert.equal(got.kestra_secrets.settings.index.number_of_shards, '1')
  await expectError(es.indices.create({ index: 'kestra_secrets' }), 400, 'resource_already_exists_exception')
  for (const bad of ['Kestra', '_kestra', 'a b', 'a#b', 'a*b', '-x', 'a,b']) {
    const e = await expectError(es.indices.create({ index: bad }), 400, 'invalid_index_name_exception')
    assert.match(e.body.error.reason, /^Invalid index name \[/)
  }
  await expectError(es.indices.create({ index: 'kestra_badmap', mappings: { properties: { a: { type: 'nope' } } } }), 400, 'mapper_parsing_exception')
  await es.indices.create({ index: 'kestra_tmp' })
  assert.deepEqual(await es.indices.delete({ index: 'kestra_tmp' }), { acknowledged: true })
  const e = await expectError(es.indices.delete({ index: 'kestra_tmp' }), 404, 'index_not_found_exception')
  assert.equal(e.body.error.root_cause[0].type, 'index_not_found_exception')
  assert.equal(e.body.error.index, 'kestra_tmp')
  assert.equal(e.body.status, 404)
})

test('documents: index, create, get, delete, versions, percent-encoded ids, refresh', async () => {
  await es.indices.create({ index: 'kestra_docs', mappings: KESTRA_MAPPING })
  const id = 'main/company.team/DB_PASSWORD'
  const doc = { key: 'DB_PASSWORD', namespace: 'company.team', tenant: 'main', value: 'c2VjcmV0', description: 'db', tags: [{ key: 'env', value: 'prod' }], updated: '2024-05-01T10:00:00Z' }
  const c1 = await es.index({ index: 'kestra_docs', id, document: doc, refresh: 'wait_for' })
  assert.equal(c1.result, 'created')
  assert.equal(c1._version, 1)
  assert.equal(c1._id, id)
  assert.deepEqual(c1._shards, { total: 2, successful: 1, failed: 0 })
  assert.equal(typeof c1._seq_no, 'number')
  assert.equal(c1._primary_term, 1)
  const log = await control(url, '/_fake/requests')
  assert.ok(log.some(x => x.method === 'PUT' && x.path.startsWith('/kestra_docs/_doc/main%2Fcompany.team%2FDB_PASSWORD?refresh=wait_for')), 'id sent percent-encoded')
  const u = await es.index({ index: 'kestra_docs', id, document: { ...doc, value: 'bmV3' }, refresh: true })
  assert.equal(u.result, 'updated')
  assert.equal(u._version, 2)
  assert.equal(u._seq_no, c1._seq_no + 1)
  assert.equal(u.forced_refresh, true)
  const g = await es.get({ index: 'kestra_docs', id })
  assert.equal(g.found, true)
  assert.equal(g._source.value, 'bmV3')
  assert.equal(g._seq_no, u._seq_no)
  const e404 = await expectError(es.get({ index: 'kestra_docs', id: 'main//missing' }), 404)
  assert.equal(e404.body.found, false)
  assert.equal(e404.body.error, undefined)
  await expectError(es.get({ index: 'kestra_nope', id: 'x' }), 404, 'index_not_found_exception')
  // create-only and optimistic concurrency
  const e409 = await expectError(es.create({ index: 'kestra_docs', id, document: doc }), 409, 'version_conflict_engine_exception')
  assert.match(e409.body.error.reason, /document already exists/)
  await expectError(es.index({ index: 'kestra_docs', id, document: doc, op_type: 'create' }), 409, 'version_conflict_engine_exception')
  await expectError(es.index({ index: 'kestra_docs', id, document: doc, if_seq_no: c1._seq_no, if_primary_term: 1 }), 409, 'version_conflict_engine_exception')
  const cas = await es.index({ index: 'kestra_docs', id, document: doc, if_seq_no: u._seq_no, if_primary_term: u._primary_term })
  assert.equal(cas._version, 3)
  // strict mapping, field values, id length
  const es1 = await expectError(es.index({ index: 'kestra_docs', id: 'x', document: { ...doc, extra: 1 } }), 400, 'strict_dynamic_mapping_exception')
  assert.match(es1.body.error.reason, /mapping set to strict, dynamic introduction of \[extra\] within \[_doc\] is not allowed/)
  await expectError(es.index({ index: 'kestra_docs', id: 'x', document: { ...doc, updated: 'yesterday' } }), 400, 'document_parsing_exception')
  await expectError(es.index({ index: 'kestra_docs', id: 'x'.repeat(513), document: doc }), 400, 'action_request_validation_exception')
  // searchability only after a refresh
  await es.index({ index: 'kestra_docs', id: 'main/a/K1', document: { ...doc, key: 'K1', namespace: 'a' } })
  const q = { index: 'kestra_docs', query: { term: { key: 'K1' } } }
  assert.equal((await es.search(q)).hits.total.value, 0)
  assert.equal((await es.get({ index: 'kestra_docs', id: 'main/a/K1' })).found, true, 'GET is realtime')
  await expectError(es.get({ index: 'kestra_docs', id: 'main/a/K1', realtime: false }), 404)
  await es.indices.refresh({ index: 'kestra_docs' })
  assert.equal((await es.search(q)).hits.total.value, 1)
  // delete
  const d = await es.delete({ index: 'kestra_docs', id: 'main/a/K1', refresh: 'wait_for' })
  assert.equal(d.result, 'deleted')
  assert.equal((await es.search(q)).hits.total.value, 0)
  const dnf = await expectError(es.delete({ index: 'kestra_docs', id: 'main/a/K1' }), 404)
  assert.equal(dnf.body.result, 'not_found')
  await expectError(es.delete({ index: 'kestra_nope', id: 'x' }), 404, 'index_not_found_exception')
  assert.equal(await es.indices.exists({ index: 'kestra_nope' }), false, 'a DELETE does not create the index')
  // auto-create on first write (dynamic mapping)
  const ac = await es.index({ index: 'kestra_auto', id: '1', document: { a: 'x', n: 2 } })
  assert.equal(ac.result, 'created')
  const m = await es.indices.getMapping({ index: 'kestra_auto' })
  assert.equal(m.kestra_auto.mappings.properties.a.type, 'text')
  assert.equal(m.kestra_auto.mappings.properties.a.fields.keyword.type, 'keyword')
})

test('mget and bulk', async () => {
  await es.indices.create({ index: 'kestra_mb', mappings: KESTRA_MAPPING })
  const ops = []
  for (let i = 0; i < 5; i++) {
    ops.push({ index: { _index: 'kestra_mb', _id: `main/ns/K${i}` } }, { key: `K${i}`, namespace: 'ns', tenant: 'main', value: '' })
  }
  ops.push({ create: { _index: 'kestra_mb', _id: 'main/ns/K0' } }, { key: 'K0', namespace: 'ns', tenant: 'main' })
  ops.push({ index: { _index: 'kestra_mb', _id: 'main/ns/bad' } }, { key: 'bad', nope: true })
  ops.push({ delete: { _index: 'kestra_mb', _id: 'main/ns/K4' } })
  const b = await es.bulk({ operations: ops, refresh: 'wait_for' })
  assert.equal(b.errors, true)
  assert.equal(b.items.length, 8)
  assert.equal(b.items[0].index.status, 201)
  assert.equal(b.items[5].create.status, 409)
  assert.equal(b.items[5].create.error.type, 'version_conflict_engine_exception')
  assert.equal(b.items[6].index.error.type, 'strict_dynamic_mapping_exception')
  assert.equal(b.items[7].delete.result, 'deleted')
  const log = await control(url, '/_fake/requests')
  const bulkReq = log.filter(x => x.path.startsWith('/_bulk')).pop()
  assert.match(bulkReq.headers['content-type'], /^application\/vnd\.elasticsearch\+x-ndjson; compatible-with=8/)
  const mg = await es.mget({ index: 'kestra_mb', ids: ['main/ns/K1', 'main/ns/K4'] })
  assert.equal(mg.docs[0].found, true)
  assert.equal(mg.docs[0]._source.key, 'K1')
  assert.equal(mg.docs[1].found, false)
  const mg2 = await es.mget({ docs: [{ _index: 'kestra_mb', _id: 'main/ns/K2' }, { _index: 'kestra_gone', _id: 'x' }] })
  assert.equal(mg2.docs[0].found, true)
  assert.equal(mg2.docs[1].error.type, 'index_not_found_exception')
  // bulk-seed 12,000 documents and page through them with search_after
  const t0 = Date.now()
  const seed = []
  for (let i = 0; i < 12000; i++) {
    seed.push({ index: { _index: 'kestra_paged', _id: `main/ns${i % 3}/KEY_${String(i).padStart(5, '0')}` } },
      { key: `KEY_${String(i).padStart(5, '0')}`, namespace: `ns${i % 3}`, tenant: 'main', value: '' })
  }
  await es.indices.create({ index: 'kestra_paged', mappings: KESTRA_MAPPING })
  const sb = await es.bulk({ operations: seed, refresh: true })
  assert.equal(sb.errors, false)
  const seen = []
  let after
  let first
  for (;;) {
    const r = await es.search({ index: 'kestra_paged', size: 1000, sort: [{ tenant: 'asc' }, { namespace: 'asc' }, { key: 'asc' }], query: { term: { tenant: 'main' } }, ...(after ? { search_after: after } : {}) })
    first ??= r
    seen.push(...r.hits.hits.map(h => h._id))
    if (r.hits.hits.length < 1000) break
    after = r.hits.hits.at(-1).sort
  }
  assert.equal(seen.length, 12000)
  assert.equal(new Set(seen).size, 12000)
  assert.deepEqual(first.hits.total, { value: 10000, relation: 'gte' })
  assert.deepEqual(first.hits.hits[0].sort, ['main', 'ns0', 'KEY_00000'])
  assert.equal(first.hits.hits[0]._score, null)
  assert.deepEqual([...seen].sort(), seen, 'ids of this layout sort like (namespace, key)')
  assert.ok(Date.now() - t0 < 8000, `12,000 docs seeded and paged in ${Date.now() - t0} ms`)
  const exact = await es.search({ index: 'kestra_paged', size: 0, track_total_hits: true })
  assert.deepEqual(exact.hits.total, { value: 12000, relation: 'eq' })
  assert.equal((await es.count({ index: 'kestra_paged', query: { term: { namespace: 'ns1' } } })).count, 4000)
  assert.equal((await es.count({ index: 'kestra_big' })).count, 12000, 'the --preload index')
})

test('search: queries, sorts, result window, refused sorts', async () => {
  const idx = 'kestra_paged'
  const t = await es.search({ index: idx, query: { terms: { key: ['KEY_00001', 'KEY_00002', 'NOPE'] } } })
  assert.equal(t.hits.total.value, 2)
  const b = await es.search({ index: idx, size: 100, query: { bool: { filter: [{ term: { tenant: 'main' } }, { prefix: { key: 'KEY_0001' } }], must_not: [{ term: { namespace: 'ns0' } }] } }, sort: [{ key: 'desc' }] })
  assert.equal(b.hits.total.value, 7) // KEY_00010..19 minus ns0 (12, 15, 18: i % 3 == 0)
  assert.equal(b.hits.hits[0]._source.key, 'KEY_00019')
  const win = await expectError(es.search({ index: idx, from: 9995, size: 10 }), 400, 'search_phase_execution_exception')
  assert.equal(win.body.error.root_cause[0].type, 'illegal_argument_exception')
  assert.match(win.body.error.root_cause[0].reason, /^Result window is too large, from \+ size must be less than or equal to: \[10000\] but was \[10005\]/)
  const sid = await expectError(es.search({ index: idx, sort: ['_id'] }), 400, 'search_phase_execution_exception')
  assert.match(sid.body.error.root_cause[0].reason, /Fielddata access on the _id field is disallowed/)
  await expectError(es.search({ index: idx, sort: ['description'] }), 400, 'search_phase_execution_exception')
  await expectError(es.search({ index: idx, query: { term: { value: 'x' } } }), 400, 'search_phase_execution_exception')
  await expectError(es.search({ index: idx, query: { nope: {} } }), 400, 'parsing_exception')
  await expectError(es.search({ index: 'kestra_nope' }), 404, 'index_not_found_exception')
  const wild = await es.search({ index: 'kestra_zz*' })
  assert.equal(wild.hits.total.value, 0)
})

test('point in time', async () => {
  const pit = await es.openPointInTime({ index: 'kestra_paged', keep_alive: '1m' })
  assert.equal(typeof pit.id, 'string')
  await es.index({ index: 'kestra_paged', id: 'main/ns9/LATE', document: { key: 'LATE', namespace: 'ns9', tenant: 'main' }, refresh: true })
  let after
  let n = 0
  for (;;) {
    const r = await es.search({ size: 5000, pit: { id: pit.id, keep_alive: '1m' }, sort: [{ key: 'asc' }], ...(after ? { search_after: after } : {}) })
    assert.equal(r.pit_id, pit.id)
    n += r.hits.hits.length
    if (r.hits.hits.length) assert.equal(r.hits.hits[0].sort.length, 2, 'implicit _shard_doc tiebreaker')
    if (r.hits.hits.length < 5000) break
    after = r.hits.hits.at(-1).sort
  }
  assert.equal(n, 12000, 'the PIT does not see later writes')
  await expectError(es.search({ index: 'kestra_paged', pit: { id: pit.id } }), 400, 'action_request_validation_exception')
  const closed = await es.closePointInTime({ id: pit.id })
  assert.deepEqual(closed, { succeeded: true, num_freed: 1 })
  await expectError(es.search({ pit: { id: pit.id } }), 404, 'search_phase_execution_exception')
})

test('auth: 401, API keys, 403 for a read-only user and key', async () => {
  const bad = client(url, { username: 'elastic', password: 'wrong' })
  const e401 = await expectError(bad.info(), 401, 'security_exception')
  assert.match(e401.body.error.reason, /unable to authenticate user \[elastic\]/)
  const raw = await fetch(url + '/kestra_paged/_search')
  assert.equal(raw.status, 401)
  const www = raw.headers.get('www-authenticate')
  assert.match(www, /Basic realm="security"/)
  assert.match(www, /ApiKey/)
  assert.match((await raw.json()).error.reason, /^missing authentication credentials for REST request \[\/kestra_paged\/_search\]/)
  const who = await esKey.security.authenticate()
  assert.equal(who.authentication_type, 'api_key')
  assert.equal((await esKey.get({ index: 'kestra_paged', id: 'main/ns0/KEY_00000' })).found, true)
  await expectError(client(url, { apiKey: Buffer.from('nope:nope').toString('base64') }).info(), 401, 'security_exception')
  const reader = client(url, READER)
  assert.equal((await reader.get({ index: 'kestra_paged', id: 'main/ns0/KEY_00000' })).found, true)
  const e403 = await expectError(reader.index({ index: 'kestra_paged', id: 'x', document: { key: 'x' } }), 403, 'security_exception')
  assert.equal(e403.body.error.reason, 'action [indices:data/write/index] is unauthorized for user [reader] with effective roles [kestra_reader] on indices [kestra_paged], this action is granted by the index privileges [index,write,all]')
  await expectError(reader.search({ index: 'other_index' }), 403, 'security_exception')
  const ro = client(url, { apiKey: RO_KEY })
  const k403 = await expectError(ro.delete({ index: 'kestra_paged', id: 'x' }), 403, 'security_exception')
  assert.match(k403.body.error.reason, /^action \[indices:data\/write\/delete\] is unauthorized for API key id \[ReadOnlyKeyId0000001\] of user \[elastic\]/)
  const nobody = client(url, { username: 'nobody', password: 'nobodypassword0001' })
  const c403 = await expectError(nobody.info(), 403, 'security_exception')
  assert.match(c403.body.error.reason, /cluster:monitor\/main.*cluster privileges \[monitor,manage,all\]/)
})

test('content types: strict checking, versioned media types', async () => {
  const auth = 'Basic ' + Buffer.from('elastic:elasticpassword0001').toString('base64')
  const post = (ct, accept) => fetch(url + '/kestra_paged/_count', { method: 'POST', headers: { authorization: auth, 'content-type': ct, ...(accept ? { accept } : {}) }, body: '{}' })
  let r = await post('text/plain')
  assert.equal(r.status, 406)
  assert.deepEqual(await r.json(), { error: 'Content-Type header [text/plain] is not supported', status: 406 })
  r = await post('application/x-www-form-urlencoded')
  assert.equal(r.status, 406)
  r = await post('application/json; charset=UTF-8')
  assert.equal(r.status, 200)
  assert.equal(r.headers.get('content-type'), 'application/json')
  r = await post('application/vnd.elasticsearch+json; compatible-with=8', 'application/vnd.elasticsearch+json; compatible-with=8')
  assert.equal(r.status, 200)
  r = await post('application/vnd.elasticsearch+json; compatible-with=9', 'application/vnd.elasticsearch+json; compatible-with=9')
  assert.equal(r.status, 400)
  assert.equal((await r.json()).error.type, 'media_type_header_exception')
  r = await post('application/vnd.elasticsearch+json; compatible-with=7', 'application/vnd.elasticsearch+json; compatible-with=8')
  assert.equal(r.status, 400)
})

test('faults: 429 is not retried by the client, 503 and dropped connections are', async () => {
  const c = client(url, ELASTIC, { maxRetries: 2 })
  const id = 'main/ns0/KEY_00000'
  await control(url, '/_fake/reset', {})
  await control(url, '/_fake/faults', [{ match: 'GET /kestra_paged/_doc/', status: 429, times: 1 }])
  const e429 = await expectError(c.get({ index: 'kestra_paged', id }), 429, 'es_rejected_execution_exception')
  assert.equal(e429.body.status, 429)
  assert.equal(e429.headers['x-elastic-product'], 'Elasticsearch')
  assert.equal((await control(url, '/_fake/requests')).length, 1, '@elastic/transport 8.11 retries 502/503/504 only')
  assert.equal((await c.get({ index: 'kestra_paged', id })).found, true)

  await control(url, '/_fake/reset', {})
  await control(url, '/_fake/faults', [{ match: 'GET /kestra_paged/_doc/', status: 503, times: 2 }])
  assert.equal((await c.get({ index: 'kestra_paged', id })).found, true)
  assert.equal((await control(url, '/_fake/requests')).length, 3)

  await control(url, '/_fake/faults', [{ match: 'GET /kestra_paged/_doc/', status: 503, times: 3 }])
  const e503 = await expectError(c.get({ index: 'kestra_paged', id }), 503, 'cluster_block_exception')
  assert.equal(e503.meta.meta.attempts, 2)

  await control(url, '/_fake/reset', {})
  await control(url, '/_fake/faults', [{ match: 'GET /kestra_paged/_doc/', fault: 'close', times: 1 }])
  assert.equal((await c.get({ index: 'kestra_paged', id }, { retryBackoff: () => 0 })).found, true)
  assert.equal((await control(url, '/_fake/requests')).length, 2)

  await control(url, '/_fake/faults', [{ match: 'GET /kestra_paged/_doc/', fault: 'garbage', times: 1 }])
  await assert.rejects(c.get({ index: 'kestra_paged', id }), e => e instanceof errors.DeserializationError)
  await control(url, '/_fake/faults', [{ match: 'GET /kestra_paged/_doc/', fault: 'truncate', times: 3 }])
  await assert.rejects(c.get({ index: 'kestra_paged', id }, { retryBackoff: () => 0 }), e => e instanceof errors.ConnectionError)
  await control(url, '/_fake/reset', {})
})

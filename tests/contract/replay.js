#!/usr/bin/env node
// Replays a provider's Postman collection through newman against a Prism mock of our spec and
// counts the requests Prism accepts. Usage: node replay.js <provider> <prism-base-url>
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const newman = require('newman');

const root = path.resolve(__dirname, '..', '..');

// Per provider: the collection to replay, the values of the variables it uses (tokens and ids
// are placeholders: Prism only checks that a credential is present), and, for a collection whose
// request URLs spell out the provider's host instead of `{{baseUrl}}`, the host prefix to point
// at Prism.
const providers = {
  wapio: {
    collection: 'specs/upstream/002_0944628b54915536.txt',
    variables: { apiToken: 'bps_pat_prism', sessionId: 'bps_sess_ws_prism', messageId: 'bps_msg_prism' },
  },
  'verloop-partner': {
    collection: 'tests/contract/verloop-partner.postman_collection.json',
    upstream: 'specs/upstream/000_7b90d7aae97adcfa.txt',
    hostPrefix: /^(https:\/\/?)+partners\.verloop\.com\/api\/v2/,
    // Placeholders the collection uses without defining them; values as its comments describe.
    variables: {
      PhoneNumber: '919876543210',
      Method: 'SMS',
      countryCode: '91',
      ID: 'template-id',
      TemplateName: 'seasonal_promotion',
      query: 'conversation_analytics',
    },
    // Send Message is documented as a skeleton, not a sendable message: its request has
    // `"type": ""` (the comment lists the allowed types) and no content member, and its saved
    // example has `"type": "text"` with an empty `text` object. Meta's format, which the spec
    // follows, needs the type and its content (`text.body`), so Prism must reject both, at
    // exactly these places.
    expectedRejections: {
      'Send Message': 'request.body.messages.0.type',
      'Send Message [example: Send Message]': 'request.body.messages.0.text',
    },
  },
};

function* requestItems(items) {
  for (const item of items) {
    if (Array.isArray(item.item)) yield* requestItems(item.item);
    else yield item;
  }
}

function rawUrl(url) {
  return typeof url === 'string' ? url : (url && url.raw) || '';
}

function hasUrl(url) {
  return typeof url === 'string' ? url !== '' : Boolean(url && (url.raw || url.host || url.path));
}

// The repaired copy may differ from the upstream collection only in request bodies.
function checkOnlyBodiesDiffer(copy, upstream) {
  const stripBodies = (collection) =>
    JSON.stringify(collection, (_key, value) =>
      value && value.mode === 'raw' && typeof value.raw === 'string' ? { ...value, raw: '' } : value,
    );
  if (stripBodies(copy) !== stripBodies(upstream)) {
    throw new Error('the repaired collection differs from the upstream one outside request bodies');
  }
  JSON.stringify(copy, (_key, value) => {
    if (value && value.mode === 'raw' && typeof value.raw === 'string' && value.raw.trim() !== '') {
      JSON.parse(value.raw);
    }
    return value;
  });
}

// Form fields of type file name a path on the collection author's machine; each is sent as a
// small placeholder file instead (Prism checks the field is there, not what the file holds).
function pointFilesAtPlaceholders(request) {
  const body = request.body;
  if (!body || body.mode !== 'formdata') return;
  for (const field of body.formdata) {
    if (field.type !== 'file') continue;
    const placeholder = path.join(__dirname, 'out', path.basename(String(field.src || 'upload.bin')));
    fs.mkdirSync(path.dirname(placeholder), { recursive: true });
    fs.writeFileSync(placeholder, 'placeholder upload from replay.js\n');
    field.src = placeholder;
  }
}

function savedExampleRequests(collection, config, baseUrl) {
  const extra = [];
  for (const item of requestItems(collection.item)) {
    for (const example of item.response || []) {
      if (!example.originalRequest || !hasUrl(example.originalRequest.url)) continue;
      const request = JSON.parse(JSON.stringify(example.originalRequest));
      if (!request.auth && item.request.auth) request.auth = item.request.auth;
      pointFilesAtPlaceholders(request);
      if (config.hostPrefix && config.hostPrefix.test(rawUrl(request.url))) {
        request.url = rawUrl(request.url).replace(config.hostPrefix, baseUrl);
      }
      extra.push({ name: `${item.name} [example: ${example.name}]`, request });
    }
  }
  return extra;
}

function prepare(config, baseUrl) {
  const collection = JSON.parse(fs.readFileSync(path.join(root, config.collection), 'utf8'));
  if (config.upstream) {
    checkOnlyBodiesDiffer(collection, JSON.parse(fs.readFileSync(path.join(root, config.upstream), 'utf8')));
  }
  const skipped = [];
  const keep = (items) =>
    items.filter((item) => {
      if (Array.isArray(item.item)) {
        item.item = keep(item.item);
        return true;
      }
      // A documentation page saved as a request, with no URL: nothing to send.
      if (!hasUrl(item.request && item.request.url)) {
        skipped.push(item.name);
        return false;
      }
      pointFilesAtPlaceholders(item.request);
      if (config.hostPrefix) {
        const url = rawUrl(item.request.url);
        if (config.hostPrefix.test(url)) {
          item.request.url = url.replace(config.hostPrefix, baseUrl);
          delete item.request.urlObject;
        }
      }
      return true;
    });
  collection.item = keep(collection.item);
  collection.item.push(...savedExampleRequests(collection, config, baseUrl));
  const variables = { ...config.variables, baseUrl };
  return { collection, variables, skipped };
}

// Prism (--errors) answers a request it finds invalid with an error and lists why in the
// `sl-violations` header. Violations located in the response mean the spec's own example breaks
// the spec's schema: reported, but they say nothing against the request.
function verdict(response) {
  const header = response.headers.get('sl-violations');
  const violations = header ? JSON.parse(header) : [];
  const requestViolations = violations.filter((v) => v.location[0] === 'request');
  const responseViolations = violations.filter((v) => v.location[0] !== 'request');
  const rejected = requestViolations.length > 0 || (response.code >= 400 && violations.length === 0);
  return { rejected, requestViolations, responseViolations };
}

async function main() {
  const [provider, baseUrl] = process.argv.slice(2);
  const config = providers[provider];
  if (!config || !baseUrl) {
    throw new Error(`usage: replay.js <${Object.keys(providers).join('|')}> <prism-base-url>`);
  }
  const { collection, variables, skipped } = prepare(config, baseUrl);
  const results = [];
  const runner = newman.run({
    collection,
    envVar: Object.entries(variables).map(([key, value]) => ({ key, value })),
    reporters: [],
    timeoutRequest: 15000,
  });
  runner.on('request', (error, args) => {
    const name = args.item.name;
    const line = `${args.request.method} ${args.request.url.getPathWithQuery()}`;
    if (error) results.push({ name, line, rejected: true, why: [error.message] });
    else {
      const { rejected, requestViolations, responseViolations } = verdict(args.response);
      results.push({
        name,
        line,
        rejected,
        status: args.response.code,
        why: requestViolations.map((v) => `${v.location.join('.')}: ${v.message}`),
        responseWhy: responseViolations.map((v) => `${v.location.join('.')}: ${v.message}`),
      });
    }
  });
  await new Promise((resolve, reject) => runner.on('done', (error) => (error ? reject(error) : resolve())));

  const expected = config.expectedRejections || {};
  const asExpected = results.filter(
    (r) => r.name in expected && r.rejected && r.why.some((why) => why.startsWith(`${expected[r.name]}:`)),
  );
  for (const name of Object.keys(expected)) {
    if (!asExpected.some((r) => r.name === name)) {
      console.log(`NOT REJECTED AS EXPECTED ${name}: Prism should reject it at ${expected[name]}`);
    }
  }
  for (const r of results) {
    if (r.rejected && !asExpected.includes(r)) {
      console.log(`REJECTED ${r.name} (${r.line}) -> ${r.status ?? 'no response'}`);
      for (const why of r.why.length ? r.why : ['Prism answered an error without listing violations']) {
        console.log(`    ${why}`);
      }
    }
    for (const why of r.responseWhy || []) console.log(`  note: ${r.name}: example answer breaks the spec: ${why}`);
  }
  if (skipped.length) console.log(`  (skipped, no URL: ${skipped.join(', ')})`);
  const accepted = results.filter((r) => !r.rejected).length;
  const note = asExpected.length ? `; the other ${asExpected.length} rejected as expected (skeleton bodies)` : '';
  console.log(`${provider}: ${accepted}/${results.length} requests accepted${note}`);
  const allChecked = accepted + asExpected.length === results.length && asExpected.length === Object.keys(expected).length;
  if (results.length === 0 || !allChecked) process.exitCode = 1;
}

main().catch((error) => {
  console.error(`replay: ${error.message}`);
  process.exitCode = 1;
});

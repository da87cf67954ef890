// Redis round trips and commands per API request, counted with requests sent one at a time through
// `redis-wire-counter` (what the app sends) and `INFO commandstats` (what Redis runs, scripts' commands too).
'use strict';
const { commandStats, commandStatsDelta } = require('./redis-wire-counter');

/**
 * Sends `requests` requests one after another (after `warmup` unmeasured ones: script loading) and
 * returns the per-request means and the commands Redis ran, by name.
 */
async function countPerRequest({ counter, redis, send, requests = 50, warmup = 5 }) {
  for (let i = 0; i < warmup; i += 1) await send(i);
  const wireBefore = counter.snapshot();
  const statsBefore = await commandStats(redis);
  for (let i = 0; i < requests; i += 1) await send(warmup + i);
  const wireAfter = counter.snapshot();
  const executed = commandStatsDelta(statsBefore, await commandStats(redis));
  const perRequest = (n) => Math.round((n / requests) * 100) / 100;
  const byCommand = Object.fromEntries(Object.entries(executed).map(([name, calls]) => [name, perRequest(calls)]));
  return {
    roundTrips: perRequest(wireAfter.roundTrips - wireBefore.roundTrips),
    commandsSent: perRequest(wireAfter.commands - wireBefore.commands),
    commandsExecuted: perRequest(Object.values(executed).reduce((sum, n) => sum + n, 0)),
    byCommand,
  };
}

/** A request that must answer `expected`; resolves the parsed body. */
async function call(base, { method = 'GET', path, key, body, expected }) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { ...(key && { authorization: `Bearer ${key}` }), ...(body && { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status !== expected) throw new Error(`${method} ${path} answered ${res.status}, not ${expected}: ${text}`);
  return text ? JSON.parse(text) : undefined;
}

module.exports = { call, countPerRequest };

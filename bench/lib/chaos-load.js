// The chaos run's clients: each create is sent with an Idempotency-Key and retried, as a well-behaved
// client would, through API restarts and Redis outages (network errors, 5xx, 409 in progress, 429).
'use strict';
const sharp = require('sharp');
const { sleep } = require('./generation-stack');

const RETRYABLE = new Set([409, 429, 500, 502, 503, 504]);

/** POSTs until a 2xx, a non-retryable answer or `giveUpMs`; resolves {status, body} (status 0: never answered). */
async function postWithRetry(api, path, { key, idempotencyKey, json, form }, giveUpMs = 180_000) {
  const deadline = Date.now() + giveUpMs;
  let last = { status: 0, body: { error: { code: 'no_answer' } } };
  for (let attempt = 0; Date.now() < deadline; attempt++) {
    try {
      const res = await fetch(`${api.base()}${path}`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'idempotency-key': idempotencyKey,
          ...(json && { 'content-type': 'application/json' }),
        },
        body: json ? JSON.stringify(json) : form(),
        signal: AbortSignal.timeout(60_000),
      });
      const body = await res.json().catch(() => ({}));
      last = { status: res.status, body };
      if (res.ok || !RETRYABLE.has(res.status)) return last;
    } catch (err) {
      last = { status: 0, body: { error: { code: 'network_error', message: String(err) } } };
    }
    await sleep(Math.min(5_000, 200 * 2 ** Math.min(attempt, 5)));
  }
  return last;
}

/** Runs `task(i)` for i < n with at most `concurrency` at once. */
async function pool(n, concurrency, task) {
  let next = 0;
  const lanes = Array.from({ length: concurrency }, async () => {
    while (next < n) await task(next++);
  });
  await Promise.all(lanes);
}

/** Ten distinct 256×256 PNG photos (noise over a per-training colour), as the API's image checks want. */
async function trainingPhotos(seed) {
  const photos = [];
  for (let p = 0; p < 10; p++) {
    const pixels = Buffer.alloc(256 * 256 * 3);
    let x = (seed * 7919 + p * 104729) >>> 0;
    for (let i = 0; i < pixels.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      pixels[i] = (x >>> 24) & 0xff;
    }
    photos.push(
      await sharp(pixels, { raw: { width: 256, height: 256, channels: 3 } })
        .png()
        .toBuffer(),
    );
  }
  return photos;
}

function trainingForm(photos, name) {
  return () => {
    const form = new FormData();
    form.append('name', name);
    form.append('subjectClass', 'person');
    for (const [i, photo] of photos.entries())
      form.append('images', new Blob([photo], { type: 'image/png' }), `${i}.png`);
    return form;
  };
}

module.exports = { pool, postWithRetry, trainingForm, trainingPhotos };

/**
 * The program the s3rver child process runs (as `node --openssl-legacy-provider -e <script>`). Plain
 * JavaScript in a string so it works the same from `src/` under Jest and from `dist/`.
 *
 * It replaces s3rver 3.7.1's FilesystemStore.putObject, which is not atomic: it answers the PUT when
 * its transform stream finishes, before the file stream has flushed, and writes into the final path. A
 * client polling for an output (as every dreamqueue worker does) could then read an empty or partial
 * object, which real S3 never returns (strong read-after-write consistency). The replacement writes to a
 * temporary file that listings ignore, waits for it to be flushed, writes the metadata, then renames the
 * file into place: a reader sees either no object or the whole object.
 *
 * It also gives ETags S3's documented values where s3rver 3.7.1 does not: a multipart upload's ETag is
 * the MD5 of its parts' binary MD5s followed by "-<parts>" (s3rver gives the whole object's MD5), and a
 * CopyObject writes a new single-part object whose ETag is the MD5 of its content (s3rver copies the
 * source's ETag). Code that compares ETags across a copy meets the same results as on AWS.
 *
 * And it completes listings with a "/" delimiter: s3rver 3.7.1 never walks a directory below a common
 * prefix, so a prefix whose objects all lie two or more levels down (`tenants/<id>/` over
 * `tenants/<id>/models/…`) was missing. The replacement looks into each such directory just far enough to
 * find one live object sorting after StartAfter, as S3 (which has no folders) would count it.
 */
export const S3RVER_CHILD_SCRIPT = `
const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Transform } = require('stream');
const { pipeline } = require('stream/promises');
const S3rver = require(process.env.S3RVER_MODULE);
const FilesystemStore = require(path.join(path.dirname(process.env.S3RVER_MODULE), 'stores', 'filesystem.js'));

// Multipart ETags waiting for their object's putObject, by bucket and key (set by putObjectMultipart).
const pendingEtags = new Map();

FilesystemStore.prototype.putObject = async function putObjectAtomically(object) {
  const objectPath = this.getResourcePath(object.bucket, object.key, 'object');
  await fs.promises.mkdir(path.dirname(objectPath), { recursive: true });
  const tmp = objectPath + '.tmp-' + crypto.randomBytes(6).toString('hex');
  const md5 = crypto.createHash('md5');
  let size = 0;
  const count = new Transform({ transform(chunk, encoding, callback) { md5.update(chunk); size += chunk.length; callback(null, chunk); } });
  const source = Buffer.isBuffer(object.content) ? [object.content] : object.content;
  try {
    await pipeline(source, count, fs.createWriteStream(tmp));
    const pendingKey = object.bucket + '/' + object.key;
    const digest = pendingEtags.get(pendingKey) || md5.digest('hex');
    pendingEtags.delete(pendingKey);
    await this.putMetadata(object.bucket, object.key, object.metadata, digest);
    await fs.promises.rename(tmp, objectPath);
    return { size, md5: digest };
  } catch (err) {
    await fs.promises.rm(tmp, { force: true });
    throw err;
  }
};

const putObjectMultipart = FilesystemStore.prototype.putObjectMultipart;
FilesystemStore.prototype.putObjectMultipart = async function putWithMultipartEtag(bucket, uploadId, parts) {
  const uploadDir = path.join(this.getResourcePath(bucket, undefined, 'uploads'), uploadId);
  const key = (await fs.promises.readFile(path.join(uploadDir, 'key'))).toString();
  const numbers = parts.map((part) => part.number).sort((a, b) => a - b);
  const digests = await Promise.all(
    numbers.map((n) => fs.promises.readFile(path.join(uploadDir, n + '.md5'), 'utf8')),
  );
  const combined = crypto.createHash('md5').update(Buffer.concat(digests.map((d) => Buffer.from(d, 'hex'))));
  pendingEtags.set(bucket + '/' + key, combined.digest('hex') + '-' + numbers.length);
  return putObjectMultipart.call(this, bucket, uploadId, parts);
};

const copyObject = FilesystemStore.prototype.copyObject;
FilesystemStore.prototype.copyObject = async function copyWithFreshEtag(srcBucket, srcKey, destBucket, destKey, replacement) {
  const metadata = await copyObject.call(this, srcBucket, srcKey, destBucket, destKey, replacement);
  const objectPath = this.getResourcePath(destBucket, destKey, 'object');
  const md5 = crypto.createHash('md5');
  for await (const chunk of fs.createReadStream(objectPath)) md5.update(chunk);
  const digest = md5.digest('hex');
  await fs.promises.writeFile(objectPath + '.md5', digest);
  return { ...metadata, etag: JSON.stringify(digest) };
};

const OBJECT_SUFFIX = '._S3rver_object';
const listObjects = FilesystemStore.prototype.listObjects;
FilesystemStore.prototype.listObjects = async function listWithDeepPrefixes(bucket, options) {
  const result = await listObjects.call(this, bucket, options);
  const prefix = options.prefix || '';
  const startAfter = options.startAfter || '';
  if (options.delimiter !== '/') return result;
  const found = new Set(result.commonPrefixes);
  // A page cut short by MaxKeys must not gain prefixes that belong to the next page.
  const last = result.isTruncated && result.objects.length ? result.objects[result.objects.length - 1].key : undefined;
  const hasObjectAfter = (dir, keyDir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (entry.isDirectory()) {
        if (hasObjectAfter(path.join(dir, entry.name), keyDir + entry.name + '/')) return true;
      } else if (entry.name.endsWith(OBJECT_SUFFIX)) {
        if (keyDir + FilesystemStore.decodeKeyPath(entry.name.slice(0, -OBJECT_SUFFIX.length)) > startAfter) return true;
      }
    }
    return false;
  };
  const visit = (dir, keyDir) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const below = keyDir + FilesystemStore.decodeKeyPath(entry.name) + '/';
      const sub = path.join(dir, entry.name);
      if (below.startsWith(prefix) && below.length > prefix.length) {
        const cut = below.indexOf('/', prefix.length);
        const commonPrefix = below.slice(0, cut + 1);
        if (found.has(commonPrefix) || (last !== undefined && commonPrefix > last)) continue;
        if (hasObjectAfter(sub, below)) found.add(commonPrefix);
      } else if (prefix.startsWith(below)) {
        visit(sub, below);
      }
    }
  };
  visit(this.getBucketPath(bucket), '');
  return { ...result, commonPrefixes: [...found].sort() };
};

const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: process.env.S3RVER_DIR,
  configureBuckets: [{ name: process.env.S3RVER_BUCKET }] });
server.run().then((address) => process.send({ port: address.port }), (err) => {
  process.send({ error: String((err && err.stack) || err) });
  process.exit(1);
});
process.on('disconnect', () => process.exit(0));
process.on('SIGTERM', () => {
  server.close().finally(() => process.exit(0));
  // Idle keep-alive sockets from the parent's clients would otherwise hold close() open.
  server.httpServer.closeAllConnections();
});
`;

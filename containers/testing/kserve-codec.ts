/**
 * The worker's KServe v2 codec (libs/aws kserve-codec.ts) for the Python tests, over stdin/stdout JSON:
 *   encode: [[GenerationRow, …], …]            -> [body, …]   (each body exactly as the worker sends it)
 *   decode: [{"body": {...}, "rows": N}, …]     -> [[base64 JPEG, …] | {"error": message}, …]
 *   node -r ./tools/swc-register.js containers/testing/kserve-codec.ts encode|decode < in.json
 */
import { decodeGenerationResponse, encodeGenerationRequest, type GenerationRow } from '@dreamqueue/aws';

function run(mode: string, input: unknown): unknown {
  if (mode === 'encode') {
    return (input as GenerationRow[][]).map((rows) => JSON.parse(encodeGenerationRequest(rows).toString('utf8')));
  }
  return (input as { body: unknown; rows: number }[]).map(({ body, rows }) => {
    try {
      return decodeGenerationResponse(Buffer.from(JSON.stringify(body)), rows).map((jpeg) => jpeg.toString('base64'));
    } catch (err) {
      return { error: (err as Error).message };
    }
  });
}

let text = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => (text += chunk));
process.stdin.on('end', () => process.stdout.write(JSON.stringify(run(process.argv[2] ?? '', JSON.parse(text)))));

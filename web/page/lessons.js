// A teacher's lesson file (docs/lessons.md) fetched from its URL, for the app to parse: its bytes,
// at most the 1 MB a lesson may have. The app's parser names the line and field of anything else
// wrong with it; this module only reports what went wrong with the transfer.

const MAX_LESSON_BYTES = 1 << 20;

// Resolves with the file's bytes (Uint8Array); rejects with an Error naming the URL and why.
export async function fetchLesson(url) {
  let response;
  try {
    response = await fetch(url);
  } catch (e) {
    throw new Error(`lesson ${url}: could not be downloaded (${e.message})`);
  }
  if (!response.ok) throw new Error(`lesson ${url}: the server answered ${response.status} ${response.statusText}`.trim());
  const declared = Number(response.headers.get('content-length'));
  if (declared > MAX_LESSON_BYTES) {
    throw new Error(`lesson ${url}: ${declared} bytes, over the 1 MB a lesson may have`);
  }
  // Read piece by piece so a server that does not say the size cannot send more than the limit.
  const reader = response.body.getReader();
  const pieces = [];
  let total = 0;
  for (;;) {
    const {done, value} = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > MAX_LESSON_BYTES) {
      reader.cancel();
      throw new Error(`lesson ${url}: over the 1 MB a lesson may have`);
    }
    pieces.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const piece of pieces) {
    bytes.set(piece, at);
    at += piece.byteLength;
  }
  return bytes;
}

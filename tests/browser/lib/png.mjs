// Minimal PNG decoder (8-bit greyscale / RGB / RGBA, not interlaced: what Chromium's screenshots
// are) so tests can sample pixels of the WebGL canvas without a dependency, and the encoder the
// tests make their own images with. Uses node's zlib.
import { deflateSync, inflateSync } from 'node:zlib';

import { crc32 } from './pack.mjs';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

// Returns {width, height, data: Uint8Array (H, W, 4) RGBA}.
export function decodePng(buffer) {
  if (buffer.length < 8 || !buffer.subarray(0, 8).equals(SIGNATURE)) {
    throw new Error('not a PNG file');
  }
  let offset = 8;
  let width = 0, height = 0, bitDepth = 0, colorType = 0, interlace = 0;
  const idat = [];
  while (offset + 8 <= buffer.length) {
    const length = buffer.readUInt32BE(offset);
    const type = buffer.toString('latin1', offset + 4, offset + 8);
    const body = buffer.subarray(offset + 8, offset + 8 + length);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0);
      height = body.readUInt32BE(4);
      bitDepth = body[8];
      colorType = body[9];
      interlace = body[12];
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
    offset += 12 + length;
  }
  const channels = {0: 1, 2: 3, 4: 2, 6: 4}[colorType];
  if (bitDepth !== 8 || !channels || interlace !== 0) {
    throw new Error(`unsupported PNG: bit depth ${bitDepth}, colour type ${colorType}, interlace ${interlace}`);
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels;
  const pixels = new Uint8Array(width * height * channels);
  let previous = new Uint8Array(stride);
  for (let y = 0; y < height; ++y) {
    const filter = raw[y * (stride + 1)];
    const line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    const out = pixels.subarray(y * stride, (y + 1) * stride);
    for (let i = 0; i < stride; ++i) {
      const a = i >= channels ? out[i - channels] : 0;
      const b = previous[i];
      const c = i >= channels ? previous[i - channels] : 0;
      let v = line[i];
      switch (filter) {
        case 0: break;
        case 1: v += a; break;
        case 2: v += b; break;
        case 3: v += (a + b) >> 1; break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a), pb = Math.abs(p - b), pc = Math.abs(p - c);
          v += pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: throw new Error(`bad PNG filter ${filter} on row ${y}`);
      }
      out[i] = v & 0xff;
    }
    previous = out;
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; ++i) {
    const p = pixels.subarray(i * channels, (i + 1) * channels);
    rgba[i * 4] = p[0];
    rgba[i * 4 + 1] = channels >= 3 ? p[1] : p[0];
    rgba[i * 4 + 2] = channels >= 3 ? p[2] : p[0];
    rgba[i * 4 + 3] = channels === 4 ? p[3] : channels === 2 ? p[1] : 255;
  }
  return {width, height, data: rgba};
}

// How much is drawn: the number of distinct colours (quantised to 4 bits per channel) and the
// fraction of pixels that differ from the most common colour (the background).
export function imageStats(image) {
  const counts = new Map();
  const n = image.width * image.height;
  for (let i = 0; i < n; ++i) {
    const d = image.data;
    const key = ((d[i * 4] >> 4) << 8) | ((d[i * 4 + 1] >> 4) << 4) | (d[i * 4 + 2] >> 4);
    counts.set(key, (counts.get(key) || 0) + 1);
  }
  let most = 0;
  for (const c of counts.values()) most = Math.max(most, c);
  return {distinctColors: counts.size, nonBackgroundFraction: n ? 1 - most / n : 0};
}

// A PNG (8-bit, colour type 2 = RGB or 0 = grey, filter 0 per row) of width x height, each
// sample pixelAt(x, y, c): written independently of the page's code.
export function encodePng(width, height, channels, pixelAt) {
  const row = width * channels + 1;
  const raw = Buffer.alloc(row * height);
  for (let y = 0; y < height; ++y) {
    for (let x = 0; x < width; ++x) {
      for (let c = 0; c < channels; ++c) raw[y * row + 1 + x * channels + c] = pixelAt(x, y, c);
    }
  }
  const chunk = (type, body) => {
    const out = Buffer.alloc(12 + body.length);
    out.writeUInt32BE(body.length, 0);
    out.write(type, 4, 'latin1');
    body.copy(out, 8);
    out.writeUInt32BE(crc32(out.subarray(4, 8 + body.length)), 8 + body.length);
    return out;
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = channels === 3 ? 2 : 0;
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)),
                        chunk('IEND', Buffer.alloc(0))]);
}

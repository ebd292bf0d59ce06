// Writes CNN Lab pack files (docs/pack-format.md) in JavaScript, independently of the engine's
// writer, so browser tests can serve small datasets they make themselves: no data files are
// committed and the page's reader is checked against the documented format.
const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; ++n) {
    let c = n;
    for (let k = 0; k < 8; ++k) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

export function crc32(bytes) {
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; ++i) c = CRC_TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

// {name, classNames, channels, height, width, train: {labels, pixels}, test: {labels, pixels}}
// with labels Uint8Array (N) and pixels Uint8Array (N, C, H, W) -> Buffer.
export function encodePack(d) {
  const text = Buffer.from([d.name, ...d.classNames].map((s) => `${s}\n`).join(''), 'utf8');
  const image = d.channels * d.height * d.width;
  const trainN = d.train.labels.length, testN = d.test.labels.length;
  const size = 64 + text.length + (trainN + testN) * (1 + image);
  const out = Buffer.alloc(size);
  out.write('CNNLPACK', 0, 'latin1');
  out.writeUInt32LE(1, 8);
  out.writeUInt32LE(64, 12);
  out.writeUInt32LE(d.channels, 16);
  out.writeUInt32LE(d.height, 20);
  out.writeUInt32LE(d.width, 24);
  out.writeUInt32LE(d.classNames.length, 28);
  out.writeUInt32LE(trainN, 32);
  out.writeUInt32LE(testN, 36);
  out.writeUInt32LE(text.length, 40);
  out.writeUInt32LE(0, 44);
  out.writeBigUInt64LE(BigInt(size), 48);
  let offset = 64;
  text.copy(out, offset);
  offset += text.length;
  for (const split of [d.train, d.test]) {
    Buffer.from(split.labels).copy(out, offset);
    offset += split.labels.length;
    Buffer.from(split.pixels).copy(out, offset);
    offset += split.pixels.length;
  }
  out.writeUInt32LE(crc32(out.subarray(64)), 56);
  out.writeUInt32LE(crc32(out.subarray(0, 60)), 60);
  return out;
}

// A small synthetic RGB dataset whose classes look different (a colour and a stripe direction
// per class), so screenshots of the Data panel show recognisable tiles.
export function syntheticPack({perClassTrain = 30, perClassTest = 10, size = 32,
                               name = 'synthetic'} = {}) {
  const classNames = ['red', 'green', 'blue', 'yellow'];
  const colors = [[220, 40, 40], [40, 180, 60], [40, 80, 220], [230, 200, 40]];
  const image = 3 * size * size;
  const make = (perClass, salt) => {
    const n = perClass * classNames.length;
    const labels = new Uint8Array(n);
    const pixels = new Uint8Array(n * image);
    for (let i = 0; i < n; ++i) {
      const label = i % classNames.length;
      labels[i] = label;
      const phase = (i * 7 + salt) % size;
      for (let y = 0; y < size; ++y) {
        for (let x = 0; x < size; ++x) {
          const stripe = ((label % 2 ? x : y) + phase) % 8 < 4 ? 1 : 0.45;
          for (let c = 0; c < 3; ++c) {
            pixels[i * image + c * size * size + y * size + x] =
                Math.round(colors[label][c] * stripe);
          }
        }
      }
    }
    return {labels, pixels};
  };
  return encodePack({name, classNames, channels: 3, height: size, width: size,
                     train: make(perClassTrain, 0), test: make(perClassTest, 3)});
}

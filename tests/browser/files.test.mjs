// Browser end-to-end test of the files a student keeps or brings (app/files_actions.h):
// on the site's 1k subset a cnn trains one epoch, saveModel() gives a model file, reset + other
// settings, loadModel() brings back the file's settings and the identical test accuracy;
// exportNpz() is a zip of .npy arrays named and shaped as PyTorch's nn.Sequential; the curves
// export as CSV and JSON; a PNG made here is classified (top-3, the photo in Inside the network);
// bad uploads (text, a 9000x10 PNG, 0 bytes, over 20 MB, a model of another input shape, another
// version, corrupt bytes) are refused with an Error that says why, a notice in the app, and the
// trained state unchanged. Screenshots go to $CNNLAB_ARTIFACTS (files-*.png).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';

import { frames, launchBrowser, newPage, openLab, saveScreenshot, sitePacks,
         writeArtifact } from './lib/harness.mjs';
import { syntheticPack } from './lib/pack.mjs';
import { encodePng } from './lib/png.mjs';

const SUBSET = '1k';
let browser;
let manifest = {packs: []};
before(async () => {
  manifest = await sitePacks();
  browser = await launchBrowser();
});
after(async () => { if (browser) await browser.close(); });

// ---- Small file formats written and read here (independently of the engine) -----------------

// The arrays of an .npz written with stored entries (numpy.savez; the engine's writer):
// {name: {descr, shape, count}} from each entry's local header and .npy header.
function readNpz(bytes) {
  const buf = Buffer.from(bytes);
  const arrays = {};
  let offset = 0;
  while (offset + 30 <= buf.length && buf.readUInt32LE(offset) === 0x04034b50) {
    const method = buf.readUInt16LE(offset + 8);
    let size = buf.readUInt32LE(offset + 18);
    const nameLength = buf.readUInt16LE(offset + 26);
    const extraLength = buf.readUInt16LE(offset + 28);
    const name = buf.toString('utf8', offset + 30, offset + 30 + nameLength);
    if (size === 0xffffffff) {  // zip64 extra: original size, compressed size
      size = Number(buf.readBigUInt64LE(offset + 30 + nameLength + 4 + 8));
    }
    assert.equal(method, 0, `${name}: stored (not compressed)`);
    const start = offset + 30 + nameLength + extraLength;
    const npy = buf.subarray(start, start + size);
    assert.equal(npy.toString('latin1', 1, 6), 'NUMPY', `${name}: .npy magic`);
    const headerLength = npy[6] === 1 ? npy.readUInt16LE(8) : npy.readUInt32LE(8);
    const headerStart = npy[6] === 1 ? 10 : 12;
    const header = npy.toString('latin1', headerStart, headerStart + headerLength);
    const descr = /'descr':\s*'([^']+)'/.exec(header)[1];
    const shape = /'shape':\s*\(([^)]*)\)/.exec(header)[1].split(',').map((s) => s.trim())
        .filter((s) => s.length).map(Number);
    const fortran = /'fortran_order':\s*True/.test(header);
    const data = npy.subarray(headerStart + headerLength);
    const values = new Float32Array(Uint8Array.from(data).buffer);
    arrays[name.replace(/\.npy$/, '')] = {descr, shape, fortran, count: values.length, values};
    offset = start + size;
  }
  return arrays;
}

function parseCsv(text) {
  const [head, ...rows] = text.trim().split('\n');
  const keys = head.split(',');
  return rows.map((line) => {
    // Labels may be quoted ("run 1: cnn 3x3" has no comma, but stay general).
    const cells = [];
    let cell = '', quoted = false;
    for (let i = 0; i < line.length; ++i) {
      const ch = line[i];
      if (quoted) {
        if (ch === '"' && line[i + 1] === '"') { cell += '"'; ++i; }
        else if (ch === '"') quoted = false;
        else cell += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') { cells.push(cell); cell = ''; }
      else cell += ch;
    }
    cells.push(cell);
    return Object.fromEntries(keys.map((k, i) => [k, cells[i]]));
  });
}

// ---- Page helpers ----------------------------------------------------------------------------

const state = (page) => page.evaluate(() => window.cnnlab.state());

function waitFor(page, predicate, arg, timeout = 120000) {
  return page.waitForFunction(predicate, arg, {timeout, polling: 100});
}

// The promise an API call returns, settled in the page: {ok, value} or {ok: false, message}.
function settle(page, fn, arg) {
  return page.evaluate(async ({source, arg}) => {
    try {
      // eslint-disable-next-line no-new-func
      const value = await (new Function('arg', `return (${source})(arg);`))(arg);
      return {ok: true, value};
    } catch (e) {
      return {ok: false, message: e && e.message ? e.message : String(e), isError: e instanceof Error};
    }
  }, {source: fn.toString(), arg});
}

// The bytes a page expression (source text, evaluated in the page) gives, as a Buffer. They
// travel as base64: Playwright serialises an Array.from() of a 2 MB file element by element,
// which took close to a minute a call here.
async function pageBytes(page, source) {
  const b64 = await page.evaluate(async (source) => {
    // eslint-disable-next-line no-new-func
    const bytes = await (new Function(`return (${source});`))();
    let text = '';
    for (let i = 0; i < bytes.length; i += 0x8000)
      text += String.fromCharCode.apply(null, bytes.subarray(i, i + 0x8000));
    return btoa(text);
  }, source);
  return Buffer.from(b64, 'base64');
}

// The parts of state() that bad uploads must leave alone.
function trainedPart(s) {
  return {run: s.run, epoch: s.epoch, step: s.step, testAcc: s.testAcc, options: s.options,
          model: s.model, dataset: s.dataset};
}

test('save, load, export and classify your own photo; bad uploads refused, nothing lost',
     {timeout: 900000}, async (t) => {
  if (!manifest.packs.some((p) => p.id === SUBSET)) {
    t.skip(`the site has no '${SUBSET}' subset (build it with CNNLAB_SITE_DATA)`);
    return;
  }
  const {context, page, errors} = await newPage(browser, {width: 1280, height: 800});
  try {
    // A 16x16 dataset of the test's own, to make a model file of another input shape.
    const smallPack = syntheticPack({perClassTrain: 6, perClassTest: 2, size: 16});
    await context.route('**/files-test-16px.pack', (route) => route.fulfill(
        {status: 200, contentType: 'application/octet-stream', body: smallPack}));
    await openLab(page);
    await page.evaluate(() => window.cnnlab.loadPack('files-test-16px.pack'));
    await page.evaluate(() => window.cnnlab.configure({model: 'cnn1', filters: 4, dense: 8}));
    await page.evaluate(() => window.cnnlab.step());
    await waitFor(page, () => window.cnnlab.state().step === 1 && window.cnnlab.state().phase === 'paused');
    await frames(page, 10);
    const other = await pageBytes(page, 'window.cnnlab.saveModel()');
    assert.ok(other.length > 100, 'a model file of the 16x16 model');

    // ---- Train one epoch on the 1k subset and save -----------------------------------------
    await page.evaluate((subset) => window.cnnlab.configure(
        {subset, model: 'cnn', kernel: 3, filters: 32, dense: 128, epochs: 1, batch: 16, seed: 11}), SUBSET);
    await page.evaluate(() => window.cnnlab.train());
    await waitFor(page, () => {
      const s = window.cnnlab.state();
      return s.phase === 'error' || (s.phase === 'done' && s.testAcc !== null);
    }, null, 600000);
    const trained = await state(page);
    assert.equal(trained.phase, 'done', trained.error);
    await frames(page, 10);  // the final snapshot reaches the app
    const saved = await page.evaluate(async () => {
      window.__savedModel = await window.cnnlab.saveModel();
      const b = window.__savedModel;
      return {length: b.length, magic: String.fromCharCode(...b.slice(0, 8)), isUint8: b instanceof Uint8Array};
    });
    assert.equal(saved.magic, 'CNNLABMF');
    assert.ok(saved.isUint8);
    assert.ok(saved.length > 545098 * 4, `the weights are in it (${saved.length} bytes)`);

    // ---- Exports ----------------------------------------------------------------------------
    const npz = await pageBytes(page, 'window.cnnlab.exportNpz()');
    const arrays = readNpz(npz);
    // cnn: conv 32 3x3 (layer 0), relu, pool, conv 64 (3), relu, pool, flatten, dense 128 (7),
    // relu, dropout?, dense 10 — names as nn.Sequential numbers its modules.
    assert.deepEqual(arrays['0.weight'].shape, [32, 3, 3, 3]);
    assert.deepEqual(arrays['0.bias'].shape, [32]);
    assert.deepEqual(arrays['3.weight'].shape, [64, 32, 3, 3]);
    assert.equal(arrays['0.weight'].descr, '<f4');
    assert.equal(arrays['0.weight'].fortran, false);
    assert.equal(arrays['0.weight'].count, 32 * 27);
    const total = Object.values(arrays).reduce((sum, a) => sum + a.count, 0);
    assert.equal(total, trained.model.params, 'every parameter is exported');
    const dense = Object.entries(arrays).filter(([name, a]) => name.endsWith('.weight') && a.shape.length === 2);
    assert.deepEqual(dense[dense.length - 1][1].shape, [10, 128]);

    const csv = await page.evaluate(() => window.cnnlab.exportCurves('csv'));
    const rows = parseCsv(csv);
    assert.ok(csv.startsWith('run,label,epoch,trainLoss,trainAcc,valLoss,valAcc,imagesPerSecond,seconds,testAcc,testLoss,testEpoch\n'));
    const last = rows.filter((r) => Number(r.run) === trained.run).pop();
    assert.equal(Number(last.epoch), 1);
    assert.ok(Math.abs(Number(last.testAcc) - trained.testAcc) < 1e-6, `${last.testAcc} vs ${trained.testAcc}`);
    assert.ok(Number(last.trainLoss) > 0 && Number(last.valAcc) >= 0);
    const curves = JSON.parse(await page.evaluate(() => window.cnnlab.exportCurves('json')));
    assert.equal(curves.format, 'cnnlab-curves');
    assert.deepEqual(curves.runs.map((r) => r.run), (await page.evaluate(() => window.cnnlab.history())).map((r) => r.run));
    const bad = await settle(page, () => window.cnnlab.exportCurves('xml'));
    assert.equal(bad.ok, false);
    assert.match(bad.message, /format must be 'csv' or 'json'/);
    writeArtifact('files-curves.csv', csv);

    // ---- Other settings, reset: then load the file back --------------------------------------
    await page.evaluate(() => window.cnnlab.configure({kernel: 5, lr: 0.01}));
    await page.evaluate(() => window.cnnlab.reset());
    await waitFor(page, () => window.cnnlab.state().testAcc === null && window.cnnlab.state().model.kernel === 5);
    const runsBefore = (await page.evaluate(() => window.cnnlab.history())).length;
    const loaded = await settle(page, () => window.cnnlab.loadModel(window.__savedModel, 'trained.cnnlab'));
    assert.ok(loaded.ok, loaded.message);
    await waitFor(page, () => window.cnnlab.state().testAcc !== null);
    const after = await state(page);
    assert.equal(after.testAcc, trained.testAcc, 'identical test accuracy after download + upload');
    assert.equal(after.testLoss, trained.testLoss);
    assert.deepEqual(after.options, trained.options, 'the settings are the file\'s again');
    assert.equal(after.model.kernel, 3);
    assert.equal(after.files.modelFile, 'model file trained.cnnlab');
    assert.equal((await page.evaluate(() => window.cnnlab.history())).length, runsBefore,
                 'earlier runs keep their curves');
    await page.evaluate(() => window.cnnlab.showPanel('eval'));
    await frames(page, 10);
    await saveScreenshot(page, 'files-loaded-eval.png');

    // ---- Your own photo ------------------------------------------------------------------
    const photo = encodePng(64, 48, 3, (x, y, c) => (c === 0 ? 40 + x * 3 : c === 1 ? 200 - y * 3 : (x * y) % 256));
    const classified = await settle(page, (bytes) => window.cnnlab.classifyImage(new Uint8Array(bytes), 'test-photo.png'), Array.from(photo));
    assert.ok(classified.ok, classified.message);
    const result = classified.value;
    assert.equal(result.top3.length, 3);
    const sum = result.top3.reduce((s, r) => s + r.probability, 0);
    assert.ok(sum <= 1 + 1e-6 && sum > 0, `top-3 sum ${sum}`);
    assert.ok(result.top3[0].probability >= result.top3[1].probability &&
              result.top3[1].probability >= result.top3[2].probability);
    assert.ok(after.dataset && typeof result.top3[0].label === 'string' && result.top3[0].label.length > 0);
    assert.deepEqual(result.input, [3, 32, 32]);
    assert.equal(result.width, 64);
    assert.equal(result.height, 48);
    assert.ok(Math.abs(result.probabilities.reduce((a, b) => a + b, 0) - 1) < 1e-4);
    await frames(page, 10);
    await saveScreenshot(page, 'files-photo-inside.png');
    const withPhoto = await state(page);
    assert.equal(withPhoto.files.photo.name, 'test-photo.png');
    assert.match(withPhoto.files.notice, /Classified test-photo\.png \(64x48\)/);

    // Dropped onto the canvas (what a student does with a file from their desktop): the same path.
    const drop = (name, bytes) => page.evaluate(({name, bytes}) => {
      const transfer = new DataTransfer();
      transfer.items.add(new File([new Uint8Array(bytes)], name));
      document.querySelector('canvas.cnnlab-canvas').dispatchEvent(
          new DragEvent('drop', {dataTransfer: transfer, bubbles: true, cancelable: true}));
    }, {name, bytes: Array.from(bytes)});
    await drop('dropped.png', photo);
    await waitFor(page, () => window.cnnlab.state().files.photo.name === 'dropped.png', null, 30000);
    await drop('notes.md', Buffer.from('# not a photo\n'));
    await waitFor(page, () => window.cnnlab.state().files.noticeError, null, 30000);
    assert.equal((await state(page)).files.notice,
                 'notes.md: neither a PNG/JPEG photo nor a CNN Lab model file (.cnnlab)');
    await page.evaluate((bytes) => window.cnnlab.classifyImage(new Uint8Array(bytes), 'test-photo.png'), Array.from(photo));

    // ---- Bad uploads: an Error that says why, a notice, nothing trained changes ------------
    const keep = trainedPart(withPhoto);
    const historyBefore = JSON.stringify(await page.evaluate(() => window.cnnlab.history()));
    const wide = encodePng(9000, 10, 1, () => 128);
    // huge.png: a PNG signature and header in front of 21 MB of filler, made in the page (sent
    // from here, the 21 MB took half a minute to cross).
    const huge = {head: photo.subarray(0, 64), size: 21 * 1024 * 1024};
    const badPhotos = [
      ['notes.txt', Buffer.from('this is a text file, not a photo\n'), /notes\.txt: not a PNG or JPEG image/],
      ['wide.png', wide, /wide\.png: image is 9000x10 pixels, larger than the 8000 px limit per side/],
      ['empty.png', Buffer.alloc(0), /empty\.png: empty file, not an image/],
      ['huge.png', huge, /huge\.png: image file is 22020096 bytes, larger than the 20 MB limit \(20971520 bytes\)/],
      ['half.png', photo.subarray(0, 60), /half\.png: corrupt image/],
    ];
    for (const [name, bytes, why] of badPhotos) {
      const head = bytes.head || bytes, size = bytes.size || head.length;
      const r = await settle(page, ({name, b64, size}) => {
        const b = new Uint8Array(size).fill(7);
        b.set(Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)));
        return window.cnnlab.classifyImage(b, name);
      }, {name, b64: Buffer.from(head).toString('base64'), size});
      assert.equal(r.ok, false, name);
      assert.ok(r.isError, `${name}: rejects with an Error`);
      assert.match(r.message, why);
      const s = await state(page);
      assert.equal(s.files.noticeError, true);
      assert.equal(s.files.notice, r.message, 'the app shows the same message');
      assert.equal(s.files.photo.name, 'test-photo.png', 'the last photo stays');
      assert.deepEqual(trainedPart(s), keep);
    }
    await frames(page, 5);
    await saveScreenshot(page, 'files-bad-photo.png');

    // Made in the page from the saved file: [name, how, bytes (for 'bytes'), expected message].
    const badModels = [
      ['other-shape.cnnlab', 'bytes', Array.from(other), /model file other-shape\.cnnlab: is a model for \(3, 16, 16\) images, but the loaded dataset 'cifar10' has \(3, 32, 32\) images/],
      ['flipped.cnnlab', 'flip', null, /model file flipped\.cnnlab: .*checksum mismatch/],
      ['newer.cnnlab', 'newer', null, /model file newer\.cnnlab: .*version 9 is newer/],
      ['truncated.cnnlab', 'truncate', null, /model file truncated\.cnnlab: .*truncated/],
      ['garbage.cnnlab', 'bytes', Array.from(Buffer.from('garbage that is no model at all')), /model file garbage\.cnnlab: .*bad magic/],
      ['empty.cnnlab', 'bytes', [], /model file empty\.cnnlab: .*empty/],
    ];
    for (const [name, how, bytes, why] of badModels) {
      const r = await settle(page, ({name, how, bytes}) => {
        let b = how === 'bytes' ? new Uint8Array(bytes) : window.__savedModel.slice();
        if (how === 'flip') b[Math.floor(b.length / 2)] ^= 0x20;
        if (how === 'newer') b[8] = 9;
        if (how === 'truncate') b = b.slice(0, 1000);
        return window.cnnlab.loadModel(b, name);
      }, {name, how, bytes});
      assert.equal(r.ok, false, name);
      assert.ok(r.isError, `${name}: rejects with an Error`);
      assert.match(r.message, why);
      const s = await state(page);
      assert.equal(s.files.notice, r.message);
      assert.deepEqual(trainedPart(s), keep, `${name}: nothing trained changes`);
    }
    const notBytes = await settle(page, () => window.cnnlab.loadModel('not bytes'));
    assert.match(notBytes.message, /loadModel: expected the file's bytes/);
    await frames(page, 20);
    assert.equal(JSON.stringify(await page.evaluate(() => window.cnnlab.history())), historyBefore);
    assert.deepEqual(trainedPart(await state(page)), keep);
    await saveScreenshot(page, 'files-bad-model.png');

    // Training continues from the loaded weights: one step moves conv1's weights a little (Adam,
    // lr 1e-3: at most ~1e-3 each), where fresh weights would differ by their whole size.
    const before1 = readNpz(await pageBytes(page, 'window.cnnlab.exportNpz()'))['0.weight'].values;
    await page.evaluate(() => window.cnnlab.step());
    await waitFor(page, () => window.cnnlab.state().step === 1 && window.cnnlab.state().phase === 'paused');
    await frames(page, 10);
    const continued = await state(page);
    assert.equal(continued.files.modelFile, null);
    const after1 = readNpz(await pageBytes(page, 'window.cnnlab.exportNpz()'))['0.weight'].values;
    let moved = 0, size = 0;
    for (let i = 0; i < after1.length; ++i) {
      moved = Math.max(moved, Math.abs(after1[i] - before1[i]));
      size = Math.max(size, Math.abs(before1[i]));
    }
    assert.ok(moved > 0 && moved < 0.01 && size > 0.05, `continued from the loaded weights (max change ${moved}, max weight ${size})`);
    writeArtifact('files-state.json', JSON.stringify(continued, null, 2));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

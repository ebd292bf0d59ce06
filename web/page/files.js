// The user's files on the page's side: the file chooser the app's File menu opens (Load model,
// Classify photo, Load dataset), a photo, .cnnlab file, dataset archive or class folders dropped
// onto the lab, the bytes the API's loadModel / classifyImage take, and files the page saves. The
// app decides what a photo or model file is and what is wrong with it (app/files_actions.h: it
// shows a notice); datasets go to the lab (mount.js, loadUpload). The API's promises reject with
// the same message.

import { isDatasetName } from './dataset-archive.js';
import { formatBytes } from './downloads.js';

const MAX_USER_FILE = 256 * 1024 * 1024;  // larger files are not even copied into the app

// The bytes an API call was given, as a Uint8Array; throws an Error naming the call otherwise.
export function fileBytes(bytes, what) {
  if (bytes instanceof Uint8Array) return bytes;
  if (bytes instanceof ArrayBuffer) return new Uint8Array(bytes);
  if (ArrayBuffer.isView(bytes)) return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  throw new Error(`${what}: expected the file's bytes (a Uint8Array or ArrayBuffer), got ${typeof bytes}`);
}

// Opens bytes in the running app: kind 'model', 'photo' or 'auto' (decided by the first bytes).
// Throws an Error saying why not.
export function openUserFile(app, kind, bytes, name) {
  if (bytes.byteLength > MAX_USER_FILE) {
    throw new Error(`${name}: ${formatBytes(bytes.byteLength)} is too large to open here`);
  }
  const error = app.openFile(kind, bytes, name);
  if (error) throw new Error(error);
}

// A File the user picked or dropped; the app shows what went wrong, the console gets it too.
async function openPicked(app, kind, file) {
  try {
    if (file.size > MAX_USER_FILE) throw new Error(`${file.name}: ${formatBytes(file.size)} is too large to open here`);
    openUserFile(app, kind, new Uint8Array(await file.arrayBuffer()), file.name);
  } catch (e) {
    console.warn(`CNN Lab: ${e.message}`);
  }
}

// The page's file chooser for kind (accept: the chooser's filter), opened from the app's menu;
// a dataset (kind 'dataset') goes to onDataset(file).
export function pickFile(app, kind, accept, onDataset) {
  const input = document.createElement('input');
  input.type = 'file';
  input.accept = accept;
  input.style.display = 'none';
  input.addEventListener('change', () => {
    const file = input.files && input.files[0];
    input.remove();
    if (file && kind === 'dataset') onDataset(file);
    else if (file) openPicked(app, kind, file);
  });
  document.body.appendChild(input);
  input.click();
}

// Files dropped onto canvas go to the app (runningApp(): the AppInstance, or null while the app
// does not run yet: the drop is then left to the browser); a dataset archive (by its name) or
// folders go to onDataset({file} or {entries}: FileSystemEntry objects).
export function acceptDrops(canvas, runningApp, onDataset) {
  canvas.addEventListener('dragover', (event) => {
    if (!runningApp() || !event.dataTransfer ||
        !Array.from(event.dataTransfer.types).includes('Files')) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = 'copy';
  });
  canvas.addEventListener('drop', (event) => {
    const file = event.dataTransfer && event.dataTransfer.files && event.dataTransfer.files[0];
    const app = runningApp();
    if (!app || !file) return;
    event.preventDefault();
    // The entries must be taken now: the items are gone once the event is over.
    const entries = Array.from(event.dataTransfer.items || [])
        .map((item) => (item.webkitGetAsEntry ? item.webkitGetAsEntry() : null))
        .filter((entry) => entry);
    if (entries.some((entry) => entry.isDirectory)) onDataset({entries});
    else if (isDatasetName(file.name)) onDataset({file});
    else openPicked(app, 'auto', file);
  });
}

// Offers bytes as a download named name (a Blob behind a temporary link).
export function saveBytes(name, bytes) {
  const url = URL.createObjectURL(new Blob([bytes], {type: 'application/octet-stream'}));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
}

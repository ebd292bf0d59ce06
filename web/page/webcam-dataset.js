// The classes the Webcam classes panel records, as a dataset: their names checked (each becomes
// a folder name) and their frames packed into the image-folder tar (<class>/<n>.png) that the
// lab's upload path loads like any dataset the student brings (mount.js, loadUpload).

import { writeTar } from './dataset-archive.js';

export const MIN_CLASSES = 2;
export const MAX_CLASSES = 10;
// Fewer frames leave the engine no test images to set aside per class (and nothing to learn).
export const MIN_FRAMES_PER_CLASS = 5;
export const MAX_FRAMES_PER_CLASS = 300;
export const WEBCAM_DATASET_NAME = 'webcam-classes';

// The default name of the n-th class (0-based).
export function defaultClassName(index) { return `Class ${String.fromCharCode(65 + index)}`; }

// Why the classes [{name, frames: [Uint8Array]}] cannot be trained on ('' when they can): the
// name of each refused class and the reason.
export function classesProblem(classes) {
  if (classes.length < MIN_CLASSES) return `Name at least ${MIN_CLASSES} classes.`;
  if (classes.length > MAX_CLASSES) return `At most ${MAX_CLASSES} classes: remove some.`;
  const seen = new Map();
  for (let i = 0; i < classes.length; ++i) {
    const name = classes[i].name.trim();
    const where = `Class ${i + 1}`;
    if (!name) return `${where} has no name: type one.`;
    if (/[/\\]/.test(name) || name === '.' || name === '..') {
      return `${where} ('${name}'): a name cannot contain / or \\ or be . or ..`;
    }
    if (name.length > 40) return `${where} ('${name.slice(0, 20)}…'): names are at most 40 characters.`;
    const key = name.toLowerCase();
    if (seen.has(key)) return `Classes ${seen.get(key) + 1} and ${i + 1} are both named '${name}': rename one.`;
    seen.set(key, i);
  }
  // The names first: a renamed class is fixed before recording more.
  for (const {name, frames} of classes) {
    const count = frames.length;
    if (count < MIN_FRAMES_PER_CLASS) {
      return `'${name.trim()}' has ${count} frame${count === 1 ? '' : 's'}: hold its Record ` +
             `button for at least ${MIN_FRAMES_PER_CLASS} (a second or two).`;
    }
  }
  return '';
}

// The classes as an image-folder tar: <name>/<n>.png (n from 1). Call classesProblem first.
export function classesToTar(classes) {
  const entries = [];
  for (const {name, frames} of classes) {
    const folder = name.trim();
    frames.forEach((bytes, i) => entries.push({name: `${folder}/${i + 1}.png`, bytes}));
  }
  return writeTar(entries);
}

// Options and links: the names a lab takes (CNNLab.mount's options, a link's query or hash, the
// <cnn-lab> element's attributes), their checks on the page's side, the pack a dataset/subset
// names, and the link that reproduces a lab's set-up.
//
// Four kinds of option: the training set-up (the engine's SessionOptions, applied through
// configure and checked there), the data (dataset, subset; pack), the app's look (theme, panels,
// hide, readOnly: app/embed_options.h, checked there) and the page's own (autostart, embed,
// origin, offline, base; checked here). Unknown or invalid ones are reported as
// "option NAME: why" (a notice in the app, `ready` rejects naming them) and the lab runs with its
// defaults for those. web/README.md ("Options") lists them.
//
// [SECTION] Option names
// [SECTION] Text to values (links and attributes)
// [SECTION] Sorting and checking
// [SECTION] Packs and links

// ---- [SECTION] Option names ---------------------------------------------------------------------

export const TRAINING_KEYS = ['model', 'spec', 'kernel', 'filters', 'dense', 'dropout', 'blocks',
                              'pooling', 'stride', 'epochs', 'batch', 'optimizer', 'momentum',
                              'nesterov', 'weightDecay', 'clipNorm', 'lr', 'lrSchedule',
                              'lrStepEpochs', 'lrGamma', 'lrMin', 'seed', 'augment', 'flip', 'shift',
                              'valFraction', 'patience', 'standardize'];
export const DATA_KEYS = ['dataset', 'subset'];
export const UI_KEYS = ['theme', 'panels', 'hide', 'readOnly'];
export const PAGE_KEYS = ['base', 'pack', 'autostart', 'embed', 'origin', 'offline', 'lesson'];
export const OPTION_KEYS = TRAINING_KEYS.concat(DATA_KEYS, UI_KEYS, PAGE_KEYS);
export const PANEL_NAMES = ['data', 'model', 'training', 'curves', 'inside', 'eval', 'experiment', 'guide'];

const NUMBER_KEYS = ['kernel', 'filters', 'dense', 'dropout', 'blocks', 'stride', 'epochs',
                     'batch', 'momentum', 'weightDecay', 'clipNorm', 'lr', 'lrStepEpochs',
                     'lrGamma', 'lrMin', 'seed', 'shift', 'valFraction', 'patience'];
const BOOLEAN_KEYS = ['nesterov', 'augment', 'flip', 'standardize', 'autostart', 'embed', 'offline',
                      'readOnly'];

// ---- [SECTION] Text to values (links and attributes) --------------------------------------------

// An option's text (a URL parameter or an attribute) as the option's type where it reads as one
// ("5" -> 5, "true" -> true, "" -> true for a flag); anything else stays text, so the engine's
// validation names what is wrong with it.
export function valueFromText(key, text) {
  if (NUMBER_KEYS.includes(key) && /^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(text.trim())) {
    return Number(text);
  }
  if (BOOLEAN_KEYS.includes(key)) {
    if (text === '' || text === 'true' || text === '1') return true;
    if (text === 'false' || text === '0') return false;
  }
  return text;
}

// Options of a page URL: its query and its hash (#kernel=5&...), the hash winning.
export function optionsFromUrl(search, hash) {
  const options = {};
  const read = (text) => {
    const params = new URLSearchParams(String(text || '').replace(/^[?#]/, ''));
    for (const [key, value] of params) {
      if (key) options[key] = valueFromText(key, value);
    }
  };
  read(search === undefined ? location.search : search);
  read(hash === undefined ? location.hash : hash);
  return options;
}

// An option's attribute name: kebab-case (weightDecay -> weight-decay, readOnly -> read-only).
export function attributeName(key) {
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

// The option an attribute names (weight-decay -> weightDecay).
export function optionName(attribute) {
  return attribute.toLowerCase().replace(/-([a-z])/g, (match, c) => c.toUpperCase());
}

export const OPTION_ATTRIBUTES = OPTION_KEYS.map(attributeName);

// Attributes every HTML element may carry: not options, never reported.
function isGlobalAttribute(name) {
  return /^(aria-|data-|on)/.test(name) ||
         ['id', 'class', 'style', 'title', 'lang', 'dir', 'hidden', 'tabindex', 'slot', 'role',
          'part', 'translate', 'inert', 'autofocus', 'nonce', 'is', 'accesskey',
          'contenteditable', 'draggable', 'spellcheck', 'enterkeyhint', 'inputmode',
          'popover'].includes(name);
}

// The options an element's attributes give (<cnn-lab kernel="5" read-only>), read like a link's
// parameters. An attribute that is neither an option nor a global HTML attribute comes back
// under its option name too, so splitOptions reports it as an unknown option.
export function optionsFromAttributes(element) {
  const options = {};
  for (const {name, value} of Array.from(element.attributes)) {
    if (isGlobalAttribute(name)) continue;
    const key = optionName(name);
    options[key] = valueFromText(key, value);
  }
  return options;
}

// ---- [SECTION] Sorting and checking -------------------------------------------------------------

// Sorts options into {training, data, ui, page} and the errors of unknown names or invalid
// page options (the others are checked by the app when they are applied).
export function splitOptions(options) {
  const split = {training: {}, data: {}, ui: {}, page: {}, errors: []};
  for (const [key, value] of Object.entries(options || {})) {
    if (value === undefined) continue;
    if (TRAINING_KEYS.includes(key)) split.training[key] = value;
    else if (DATA_KEYS.includes(key)) split.data[key] = value;
    else if (UI_KEYS.includes(key)) split.ui[key] = value;
    else if (PAGE_KEYS.includes(key)) split.page[key] = value;
    else split.errors.push(`option ${key}: unknown option (known: ${OPTION_KEYS.join(', ')})`);
  }
  for (const key of ['autostart', 'embed', 'offline']) {
    if (key in split.page && typeof split.page[key] !== 'boolean') {
      split.errors.push(`option ${key}: must be true or false, got ${JSON.stringify(split.page[key])}`);
      delete split.page[key];
    }
  }
  if ('origin' in split.page) {
    const origin = split.page.origin;
    let valid = origin === '*';
    try { valid = valid || new URL(origin).origin === origin; } catch (e) { /* invalid */ }
    if (!valid) {
      split.errors.push(`option origin: must be an origin such as https://course.example.org (or *), got ${JSON.stringify(origin)}`);
      delete split.page.origin;
    }
  }
  for (const key of ['base', 'pack', 'lesson']) {
    if (key in split.page && (typeof split.page[key] !== 'string' || !split.page[key])) {
      split.errors.push(`option ${key}: must be ${key === 'lesson' ? 'a lesson id or URL' : 'a URL'}, got ${JSON.stringify(split.page[key])}`);
      delete split.page[key];
    }
  }
  return split;
}

// ---- [SECTION] Packs and links ------------------------------------------------------------------

// The pack URL a {dataset, subset} names: a subset id of the site's data/packs.json (manifest),
// or a dataset that is a pack URL; current is the lab's pack now (kept when only dataset:
// 'cifar10' is asked for). Throws an Error that lists what the site offers.
export function packFor(manifest, base, current, dataset, subset) {
  const packs = manifest ? manifest.packs : [];
  const ids = packs.map((p) => p.id);
  if (dataset !== undefined) {
    if (typeof dataset !== 'string' || !dataset) {
      throw new Error(`option dataset: must be 'cifar10' or a pack file URL, got ${JSON.stringify(dataset)}`);
    }
    if (/\.pack(\?.*)?$/.test(dataset)) {
      if (subset !== undefined) throw new Error('option subset: not with a dataset pack URL');
      return new URL(dataset, base).href;
    }
    if (dataset !== 'cifar10') {
      throw new Error(`option dataset: unknown dataset '${dataset}' (this site offers cifar10${ids.length ? ` in subsets ${ids.join(', ')}` : ' only as a pack URL'})`);
    }
  }
  if (subset === undefined) {
    if (!packs.length) throw new Error('option dataset: this site has no packed subsets (pass a pack file URL)');
    return current || new URL(packs[0].file, base).href;
  }
  const chosen = packs.find((p) => p.id === String(subset));
  if (!chosen) {
    throw new Error(`option subset: unknown subset '${subset}' (${ids.length ? `one of ${ids.join(', ')}` : 'this site has none'})`);
  }
  return new URL(chosen.file, base).href;
}

// The pack the manifest names as the default (else its first); null when it has none.
export function defaultPack(manifest, base) {
  const chosen = manifest.packs.find((p) => p.id === manifest.default) || manifest.packs[0];
  return chosen ? new URL(chosen.file, base).href : null;
}

// The id of the manifest's subset whose pack is packUrl; null when it is none of them.
export function subsetOf(manifest, base, packUrl) {
  if (!manifest || !packUrl) return null;
  const chosen = manifest.packs.find((p) => new URL(p.file, base).href === packUrl);
  return chosen ? chosen.id : null;
}

// A number as a link writes it: float32 noise removed (0.0010000000474974513 -> 0.001).
function linkNumber(value) {
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(6)));
}

// A URL of the site's index.html that opens a lab with this set-up: its pack (a subset id when
// the manifest lists it), the training options of state that differ from defaults (the app's
// options before any were applied), the theme (unless it is systemTheme: the one the reader's
// colour scheme picked, which the link's reader's own scheme should pick for them), panels and
// readOnly.
export function linkFor({state, defaults, manifest, packUrl, base, systemTheme = null}) {
  const params = new URLSearchParams();
  if (packUrl) {
    const subset = subsetOf(manifest, base, packUrl);
    if (subset) params.set('subset', subset);
    else params.set('pack', packUrl);
  }
  const options = state.options || {};
  for (const key of TRAINING_KEYS) {
    if (!(key in options)) continue;
    const value = options[key];
    if (defaults && JSON.stringify(defaults[key]) === JSON.stringify(value)) continue;
    params.set(key, typeof value === 'number' ? linkNumber(value) : String(value));
  }
  const look = state.ui || {};
  if (look.theme === 'dark' && systemTheme !== 'dark') params.set('theme', 'dark');
  if (look.panels && look.panels.length < PANEL_NAMES.length) params.set('panels', look.panels.join(','));
  if (look.readOnly) params.set('readOnly', look.readOnly === 'all' ? 'all' : 'true');
  const url = new URL('index.html', base);
  url.search = params.toString().replace(/%2C/g, ',');
  return url.href;
}

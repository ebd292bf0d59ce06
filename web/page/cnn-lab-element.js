// The <cnn-lab> custom element: a lab whose options are its attributes, in kebab-case
// (<cnn-lab subset="1k" kernel="5" panels="curves,inside" read-only>; weightDecay is
// weight-decay). Values read as a link's parameters do ("5" is 5, a bare flag is true), and
// invalid ones give the same named errors ("option kernel: ...": a notice in the app, lab.ready
// rejects naming them; the lab runs with its defaults for those). Its `lab` property is the
// lab's JavaScript API, the same object CNNLab.mount returns:
//
//   document.querySelector('cnn-lab').lab.state()
//
// Changing an attribute later applies it with lab.configure once the lab is ready (training,
// data and look options; a refusal is logged); page options (base, pack, autostart, embed,
// origin, offline) count when the element is first connected. The lab lives in the element's
// light DOM (the app's keyboard handling needs the canvas itself as the events' target) and is
// not stopped when the element is removed: a wasm instance cannot be restarted in place.

import { mount } from './mount.js';
import { OPTION_ATTRIBUTES, PAGE_KEYS, optionName, optionsFromAttributes,
         valueFromText } from './options.js';

const FLAG_KEYS = ['readOnly', 'nesterov', 'augment', 'flip', 'standardize'];

export class CnnLabElement extends HTMLElement {
  static get observedAttributes() { return OPTION_ATTRIBUTES; }

  #api = null;                   // the lab's API, once connected
  #changes = Promise.resolve();  // attribute changes, applied in order

  // The lab's JavaScript API (null until the element is connected).
  get lab() { return this.#api; }

  connectedCallback() {
    if (this.#api) return;
    if (!this.hasAttribute('role')) this.setAttribute('role', 'region');
    if (!this.hasAttribute('aria-label')) this.setAttribute('aria-label', 'CNN Lab');
    this.#api = mount(this, optionsFromAttributes(this));
    // Attributes not applied are shown in the app (a notice) and logged; lab.ready still
    // rejects for whoever awaits it.
    this.#api.ready.catch((e) => console.warn(e.message));
  }

  attributeChangedCallback(name, oldValue, newValue) {
    if (!this.#api || oldValue === newValue) return;
    const key = optionName(name);
    if (PAGE_KEYS.includes(key)) {
      console.warn(`CNN Lab: attribute ${name} is read when the lab is mounted only`);
      return;
    }
    // A removed flag is false; another removed option keeps its value.
    if (newValue === null && !FLAG_KEYS.includes(key)) return;
    const value = newValue === null ? false : valueFromText(key, newValue);
    const lab = this.#api;
    const whenRunning = lab.ready.catch(() => undefined);
    this.#changes = this.#changes.then(() => whenRunning)
        .then(() => lab.configure({[key]: value}))
        .catch((e) => console.warn(`CNN Lab: attribute ${name}="${newValue}": ${e.message}`));
  }
}

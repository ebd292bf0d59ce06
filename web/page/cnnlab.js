// CNN Lab's page script: THE one script a page includes to get labs (web/README.md,
// "Embedding"). An ES module; from the lab's site, or from another origin when that site sends
// CORS headers:
//
//   <script type="module" src="https://lab.example.org/page/cnnlab.js"></script>
//   <cnn-lab subset="1k" kernel="5" panels="curves,inside" read-only></cnn-lab>
//
// It defines the <cnn-lab> element (cnn-lab-element.js) and window.CNNLab:
//   CNNLab.mount(element, options)  mounts a lab into any element, returns its API (api.js)
//   CNNLab.optionsFromUrl()         the options of this page's query and hash (options.js)
//   CNNLab.fetchWithProgress(url, onProgress)  a download with progress (downloads.js)
// The lab's stylesheet (page/cnnlab.css) is added to the document when it lacks it.
//
// The modules, one job each: mount.js (a lab's life: downloads, start, datasets, failures),
// api.js (its JavaScript API), app-instance.js (the app's wasm instance and calls into it),
// worker-client.js (the training worker), options.js (options and links), downloads.js
// (downloads and the dataset cache), overlay.js (progress and error box), events.js (api.on),
// files.js (the user's files), embed-bridge.js (iframe postMessage), offline.js (service worker).

import { CnnLabElement } from './cnn-lab-element.js';
import { fetchWithProgress } from './downloads.js';
import { mount } from './mount.js';
import { optionsFromUrl } from './options.js';

export const CNNLab = {mount, optionsFromUrl, fetchWithProgress};
export { mount, optionsFromUrl, CnnLabElement };

if (!window.CNNLab) window.CNNLab = CNNLab;
if (!customElements.get('cnn-lab')) customElements.define('cnn-lab', CnnLabElement);

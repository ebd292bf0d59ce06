// Offline use: registers the site's service worker (<base>service-worker.js, which keeps the
// site's files; datasets are in the dataset cache already) and stores the page that mounted the
// lab in the site cache, so a reload without network still starts the lab.

const SITE_CACHE = 'cnnlab-site-v1';
const registrations = new Map();  // base -> Promise of the registration (null: none)

// A service worker must come from the page's own origin: a lab mounted from another origin (a
// course site embedding <cnn-lab>) is not kept for offline use, and that is no error.
export function keepForOffline(base) {
  if (!('serviceWorker' in navigator) || !/^https?:$/.test(location.protocol)) return null;
  if (new URL(base).origin !== location.origin) return null;
  if (!registrations.has(base)) {
    registrations.set(base, navigator.serviceWorker.register(
        base + 'service-worker.js', {scope: base}).then(async (registration) => {
      try {
        const cache = await caches.open(SITE_CACHE);
        await cache.add(new Request(location.href, {cache: 'no-cache'}));
      } catch (e) {
        console.warn(`CNN Lab: could not keep this page for offline use: ${e.message}`);
      }
      return registration;
    }, (e) => {
      console.warn(`CNN Lab: offline use is not available (${e.message})`);
      return null;
    }));
  }
  return registrations.get(base);
}

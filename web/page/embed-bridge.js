// The iframe bridge: a lab opened with {embed: true} (index.html?embed=1) inside an iframe is
// driven by its parent window with postMessage and posts its events back. The message formats
// are in web/README.md ("iframe and postMessage"). Messages are accepted from the parent window
// only, and only from hostOrigin ('*': any); replies and events are posted to hostOrigin.

const COMMANDS = ['train', 'pause', 'step', 'reset', 'clearHistory'];

// The host origin an embedded lab talks to: the origin option, else the embedding page's (from
// the referrer), else this site's.
export function hostOrigin(originOption) {
  if (originOption) return originOption;
  try {
    return document.referrer ? new URL(document.referrer).origin : location.origin;
  } catch (e) {
    return location.origin;
  }
}

// Connects api (the lab's JavaScript API) to the parent window; nothing when not in an iframe.
export function connectToParent(api, origin) {
  if (window.parent === window) return;
  const post = (message) => window.parent.postMessage(message, origin);
  let warned = false;
  window.addEventListener('message', async (event) => {
    if (event.source !== window.parent) return;
    if (origin !== '*' && event.origin !== origin) {
      if (!warned) console.warn(`CNN Lab: ignored a message from ${event.origin} (accepting ${origin}; see the origin option)`);
      warned = true;
      return;
    }
    const message = event.data;
    if (!message || typeof message !== 'object' || typeof message.type !== 'string') return;
    const id = message.id;
    try {
      if (message.type === 'configure') {
        post({type: 'configured', id, state: await api.configure(message.options)});
      } else if (COMMANDS.includes(message.type)) {
        api[message.type]();
        post({type: 'ok', id, command: message.type});
      } else if (message.type === 'state') {
        post({type: 'state', id, state: api.state()});
      } else if (message.type === 'history') {
        post({type: 'history', id, history: api.history()});
      } else if (message.type === 'link') {
        post({type: 'link', id, url: api.link()});
      } else if (message.type === 'loadDataset') {
        // {type: 'loadDataset', id, bytes (ArrayBuffer or Uint8Array), name, input}
        const bytes = message.bytes instanceof ArrayBuffer ? new Uint8Array(message.bytes) : message.bytes;
        const options = message.input === undefined ? undefined : {input: message.input};
        post({type: 'loaded', id, state: await api.loadDataset(bytes, message.name, options)});
      } else if (message.type === 'showPanel') {
        api.showPanel(message.panel);
        post({type: 'ok', id, command: 'showPanel'});
      } else {
        throw new Error(`unknown message type '${message.type}' (configure, ${COMMANDS.join(', ')}, state, history, link, loadDataset, showPanel)`);
      }
    } catch (e) {
      post({type: 'error', id, message: e && e.message ? e.message : String(e)});
    }
  });
  api.on('epoch', (record) => post(Object.assign({type: 'epoch'}, record)));
  api.on('done', (record) => post(Object.assign({type: 'done'}, record)));
  api.on('error', (record) => post({type: 'error', message: record.message}));
  api.ready.then(() => post({type: 'ready', state: api.state()}),
                 (e) => {
                   post({type: 'error', message: e.message, options: e.errors || []});
                   post({type: 'ready', state: api.state()});
                 });
}

// The vocabularies the page draws with, as Rust defines them (src/vocab.rs, `Sandbox.vocabulary()`):
// message kinds with their labels and colours (legend, dots, event badges), the event panel's
// kind filters, and node kinds with where they sit. The page keeps no list of its own: a kind
// the vocabulary does not name is still drawn (grey, in the side column), never an error.

const state = { messages: [], traceFilters: [], nodes: [], colour: new Map(), place: new Map() };

/** Install the vocabulary (call once, after the wasm module is initialised). */
export function setVocabulary(v) {
  state.messages = v.messages || [];
  state.traceFilters = v.trace_filters || [];
  state.nodes = v.nodes || [];
  state.colour = new Map(state.messages.map((m) => [m.id, m.colour]));
  state.place = new Map(state.nodes.map((n) => [n.id, n.place]));
}

/** [{id, label, colour, members}] in legend order. */
export function messageKinds() { return state.messages; }
/** [{id, label, kinds}]: the event panel's kind filter; the first shows everything. */
export function traceFilters() { return state.traceFilters; }
/** [{id, label, place}]: `top`, `bottom` or `side`. */
export function nodeKinds() { return state.nodes; }

/** The colour of a message kind (grey for a kind the vocabulary does not name). */
export function kindColour(kind) { return state.colour.get(kind) || '#888888'; }

/** Where a node kind sits: `top`, `bottom` or `side` (unknown kinds: `side`). */
export function nodePlace(kind) { return state.place.get(kind) || 'side'; }

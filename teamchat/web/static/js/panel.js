// The right-hand side panel, shared by the thread view and search results.

import { emit } from './store.js';
import { h } from './util.js';

let panel = null;
let current = null; // {kind, onClose}

export function panelElement() {
  panel = h('aside', { class: 'side-panel', id: 'side-panel', hidden: true, 'aria-label': 'Side panel' });
  panel.addEventListener('keydown', (ev) => {
    if (ev.key === 'Escape' && !ev.defaultPrevented) {
      ev.preventDefault();
      closePanel();
    }
  });
  return panel;
}

export function panelKind() {
  return current ? current.kind : null;
}

// Show `body` in the panel under a header titled `title`.
export function showPanel(kind, title, body, onClose) {
  if (current && current.onClose && current.kind !== kind) current.onClose();
  current = { kind, onClose };
  const heading = h('h2', { id: 'side-panel-title', text: title });
  panel.replaceChildren(
    h(
      'header',
      { class: 'panel-header' },
      heading,
      h('button', {
        type: 'button',
        class: 'icon',
        'aria-label': `Close ${title.toLowerCase()}`,
        text: '×',
        onclick: closePanel,
      }),
    ),
    body,
  );
  panel.setAttribute('aria-labelledby', 'side-panel-title');
  panel.hidden = false;
  document.body.classList.add('panel-open');
  emit('panel', kind);
}

export function closePanel() {
  if (!panel || panel.hidden) return;
  const prev = current;
  current = null;
  panel.hidden = true;
  panel.replaceChildren();
  document.body.classList.remove('panel-open');
  if (prev && prev.onClose) prev.onClose();
  emit('panel', null);
}

// What a person can do to one message: react, edit, delete, open its thread.
// Results are announced on the bus ('message:update', 'message:remove') so the
// channel pane and the thread panel both redraw.

import { api } from './api.js';
import { confirmDialog } from './dialogs.js';
import { closeEmojiPicker, openEmojiPicker, position } from './emoji.js';
import { emit, isAdmin, state } from './store.js';
import { errorText, h, toast } from './util.js';

export function canDeleteForEveryone(msg) {
  if (!msg || msg.deleted || !state.me) return false;
  const own = msg.author && msg.author.id === state.me.id;
  if (!own && !isAdmin()) return false;
  const windowSec = Number(state.workspace?.recall_window_seconds || 0);
  if (!windowSec) return true;
  return Date.now() - new Date(msg.created_at).getTime() <= windowSec * 1000;
}

export function canEdit(msg) {
  return Boolean(msg && !msg.deleted && state.me && msg.author && msg.author.id === state.me.id);
}

let openMenuState = null;

export function closeMenu(refocus = true) {
  if (!openMenuState) return;
  const { el, anchor, onDoc } = openMenuState;
  openMenuState = null;
  document.removeEventListener('mousedown', onDoc, true);
  el.remove();
  if (refocus && anchor && document.contains(anchor)) anchor.focus();
}

// A popup menu of [{label, run, danger}] next to anchor, with arrow-key navigation.
export function openMenu(anchor, items, label = 'Actions') {
  closeMenu(false);
  const el = h('div', { class: 'popover menu', role: 'menu', 'aria-label': label });
  for (const item of items) {
    el.append(
      h('button', {
        type: 'button',
        role: 'menuitem',
        class: item.danger ? 'danger' : '',
        text: item.label,
        onclick: () => {
          closeMenu(false);
          item.run();
        },
      }),
    );
  }
  el.addEventListener('keydown', (ev) => {
    const buttons = [...el.querySelectorAll('button')];
    const i = buttons.indexOf(document.activeElement);
    if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      closeMenu();
    } else if (ev.key === 'ArrowDown') {
      ev.preventDefault();
      buttons[(i + 1) % buttons.length].focus();
    } else if (ev.key === 'ArrowUp') {
      ev.preventDefault();
      buttons[(i - 1 + buttons.length) % buttons.length].focus();
    } else if (ev.key === 'Tab') {
      closeMenu(false);
    }
  });
  document.body.append(el);
  position(el, anchor);
  const onDoc = (ev) => {
    if (!el.contains(ev.target) && !anchor.contains(ev.target)) closeMenu(false);
  };
  document.addEventListener('mousedown', onDoc, true);
  openMenuState = { el, anchor, onDoc };
  el.querySelector('button')?.focus();
}

async function react(msg, emoji) {
  try {
    const res = await api.react(msg.id, emoji);
    emit('message:update', { id: msg.id, channel_id: msg.channel_id, reactions: res.reactions });
  } catch (err) {
    toast(`Could not add the reaction: ${errorText(err)}`);
  }
}

async function unreact(msg, emoji) {
  try {
    const res = await api.unreact(msg.id, emoji);
    emit('message:update', { id: msg.id, channel_id: msg.channel_id, reactions: res.reactions });
  } catch (err) {
    toast(`Could not remove the reaction: ${errorText(err)}`);
  }
}

async function deleteMessage(msg, scope) {
  const everyone = scope === 'everyone';
  const ok = await confirmDialog(
    everyone ? 'Delete for everyone?' : 'Delete for you?',
    everyone
      ? 'The message will be removed for every member of this conversation. This cannot be undone.'
      : 'The message will be hidden for you on all your devices. Others still see it.',
    'Delete',
    true,
  );
  if (!ok) return;
  try {
    await api.deleteMessage(msg.id, scope);
    if (everyone) emit('message:update', {
        id: msg.id,
        channel_id: msg.channel_id,
        deleted: true,
        text: '',
        reactions: [],
        mentions: [],
      });
    else emit('message:remove', { id: msg.id, channel_id: msg.channel_id });
  } catch (err) {
    toast(`Could not delete the message: ${errorText(err)}`);
  }
}

function startEdit(msg, anchorRoot) {
  // The list may have been redrawn since the menu opened: find the live element.
  const root =
    anchorRoot && !anchorRoot.isConnected ? document.getElementById(anchorRoot.id) : anchorRoot;
  const textEl = root && root.querySelector('.msg-text');
  if (!textEl) return;
  const area = h('textarea', {
    class: 'edit-box',
    'aria-label': 'Edit message',
    rows: String(Math.min(8, msg.text.split('\n').length + 1)),
    value: msg.text,
  });
  const error = h('p', { class: 'form-error', role: 'alert', hidden: true });
  const scope = root.closest('.side-panel') || document.querySelector('.pane');
  const refocus = () => scope && scope.querySelector('.composer-input')?.focus();
  const cancel = () => {
    root.classList.remove('editing');
    emit('message:update', { id: msg.id, channel_id: msg.channel_id });
    refocus();
  };
  const save = async () => {
    const text = area.value;
    if (!text.trim()) {
      error.textContent = 'A message cannot be empty. Use delete instead.';
      error.hidden = false;
      return;
    }
    if (text === msg.text) return cancel();
    try {
      const updated = await api.editMessage(msg.id, text);
      root.classList.remove('editing');
      emit('message:update', updated);
      refocus();
    } catch (err) {
      error.textContent = `Could not save: ${errorText(err)}`;
      error.hidden = false;
    }
  };
  area.addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      save();
    } else if (ev.key === 'Escape') {
      ev.preventDefault();
      ev.stopPropagation();
      cancel();
    }
  });
  const editor = h(
    'div',
    { class: 'editor' },
    area,
    error,
    h(
      'div',
      { class: 'editor-actions' },
      h('span', { class: 'muted small', text: 'Enter to save, Esc to cancel' }),
      h('button', { type: 'button', text: 'Cancel', onclick: cancel }),
      h('button', { type: 'button', class: 'primary', text: 'Save', onclick: save }),
    ),
  );
  textEl.replaceWith(editor);
  root.classList.add('editing');
  area.focus();
  area.setSelectionRange(area.value.length, area.value.length);
}

export function copyText(text) {
  if (navigator.clipboard) {
    navigator.clipboard.writeText(text).then(
      () => toast('Copied.', 'info'),
      () => toast('Could not copy.'),
    );
  }
}

// The handler given to messageElement(): `action` names what was clicked.
export function handleAction(action, msg, anchor, emoji, { openThread } = {}) {
  const root = anchor ? anchor.closest('.msg') : null;
  switch (action) {
    case 'react':
      return react(msg, emoji);
    case 'unreact':
      return unreact(msg, emoji);
    case 'pick-reaction':
      return openEmojiPicker(anchor, (e) => react(msg, e), 'React with an emoji');
    case 'thread':
      return openThread && openThread(msg);
    case 'edit':
      return startEdit(msg, root);
    case 'menu': {
      const items = [];
      if (!msg.deleted) {
        items.push({
          label: 'Add reaction…',
          run: () => openEmojiPicker(anchor, (e) => react(msg, e), 'React with an emoji'),
        });
        if (openThread && !msg.thread_root_id) {
          items.push({ label: 'Reply in thread', run: () => openThread(msg) });
        }
        items.push({ label: 'Copy text', run: () => copyText(msg.text) });
      }
      if (canEdit(msg)) items.push({ label: 'Edit', run: () => startEdit(msg, root) });
      items.push({ label: 'Delete for me', danger: true, run: () => deleteMessage(msg, 'me') });
      if (canDeleteForEveryone(msg)) {
        items.push({
          label: 'Delete for everyone',
          danger: true,
          run: () => deleteMessage(msg, 'everyone'),
        });
      }
      closeEmojiPicker();
      return openMenu(anchor, items, 'Message actions');
    }
    default:
      return undefined;
  }
}

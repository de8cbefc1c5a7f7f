// The message composer: Enter sends, Shift+Enter breaks a line, @mention
// autocomplete, emoji picker, drafts that survive failures, channel switches and
// reloads, and a client_msg_id reused on retry so a message is never posted twice.
//
// A draft in localStorage is {text, retry, sending}: the box, the failed send whose
// text is in the box ({text, clientMsgId}), and the sends still waiting for the
// server. A send stays in `sending` until the server answers, so a page reloaded or
// closed meanwhile finds it there and puts its text back in the box, id and all.

import { openEmojiPicker } from './emoji.js';
import { displayName } from './store.js';
import { avatar } from './render.js';
import { errorText, h, uuid } from './util.js';

const SPECIAL_MENTIONS = [
  { username: 'channel', label: 'Notify everyone in this conversation' },
  { username: 'all', label: 'Notify everyone in this conversation' },
  { username: 'here', label: 'Notify members who are online' },
];

const TYPING_EVERY_MS = 3000;

// Sends this page is waiting on, by client_msg_id. Each is also a Web Lock, held
// from before it is written into the draft until the server has answered, so another
// page (this one reloaded, or another tab) can wait for it to be settled.
const inFlight = new Set();
const SEND_LOCK = 'teamchat.sending.';
// A send cut short by leaving the page stays in the draft for the next page to give back.
let leaving = false;
window.addEventListener('pagehide', () => {
  leaving = true;
});
window.addEventListener('pageshow', () => {
  leaving = false;
});

async function withSendLock(clientMsgId, fn) {
  if (navigator.locks?.request) {
    let ran = false;
    try {
      return await navigator.locks.request(SEND_LOCK + clientMsgId, () => {
        ran = true;
        return fn();
      });
    } catch (err) {
      if (ran) throw err;
    }
  }
  return fn(); // no Web Locks (not a secure context): only this page knows of its sends
}

// Resolves once no page holds the send's lock: that page has answered for it or is gone.
function settledElsewhere(clientMsgId) {
  if (!navigator.locks?.request) return Promise.resolve();
  return navigator.locks.request(SEND_LOCK + clientMsgId, () => undefined).catch(() => undefined);
}

function loadDraft(key) {
  try {
    const d = JSON.parse(localStorage.getItem(key) || 'null');
    return d && typeof d === 'object' ? d : null;
  } catch {
    return null;
  }
}

function storeDraft(key, d) {
  const sending = Array.isArray(d.sending) ? d.sending : [];
  if (d.text || d.retry || sending.length) {
    localStorage.setItem(key, JSON.stringify({ text: d.text || '', retry: d.retry || null, sending }));
  } else {
    localStorage.removeItem(key);
  }
}

// Read, change and write back one draft (other keys and fields are left as they are).
function updateDraft(key, change) {
  if (!key) return;
  const d = loadDraft(key) || {};
  change(d);
  storeDraft(key, d);
}

function dropSending(d, clientMsgId) {
  d.sending = (d.sending || []).filter((s) => s.clientMsgId !== clientMsgId);
}

export class Composer {
  // opts: {label, placeholder, send(text, clientMsgId) -> Promise, members() -> users,
  //        onTyping(), onEditLast(), draftKey}
  constructor(opts) {
    this.opts = opts;
    this.draftKey = null;
    this.retry = null; // {text, clientMsgId} of a failed send, its text in the box
    this.lastTypingAt = 0;
    this.suggestions = [];
    this.active = 0;

    this.area = h('textarea', {
      class: 'composer-input',
      rows: '1',
      'aria-label': opts.label || 'Message',
      placeholder: opts.placeholder || 'Write a message',
      'aria-autocomplete': 'list',
      'aria-haspopup': 'listbox',
    });
    this.listId = `mention-list-${Math.random().toString(36).slice(2)}`;
    this.list = h('ul', { class: 'mention-list', role: 'listbox', id: this.listId, hidden: true });
    this.area.setAttribute('aria-controls', this.listId);
    this.error = h('div', { class: 'composer-error', role: 'alert', hidden: true });
    this.emojiBtn = h('button', {
      type: 'button',
      class: 'icon',
      'aria-label': 'Insert emoji',
      title: 'Insert emoji',
      text: '☺',
      onclick: () => openEmojiPicker(this.emojiBtn, (e) => this.insert(e), 'Insert an emoji'),
    });
    this.sendBtn = h('button', {
      type: 'submit',
      class: 'primary send',
      'aria-label': 'Send message',
      text: 'Send',
    });
    this.el = h(
      'form',
      { class: 'composer', 'aria-label': opts.label || 'Message composer' },
      this.list,
      this.error,
      h('div', { class: 'composer-row' }, this.area, this.emojiBtn, this.sendBtn),
      h('div', { class: 'composer-hint muted small', text: 'Enter to send · Shift+Enter for a new line · @ to mention' }),
    );
    this.el.addEventListener('submit', (ev) => {
      ev.preventDefault();
      this.submit();
    });
    this.area.addEventListener('keydown', (ev) => this.onKey(ev));
    this.area.addEventListener('input', () => this.onInput());
    this.area.addEventListener('click', () => this.updateSuggestions());
    this.area.addEventListener('blur', () => setTimeout(() => this.closeSuggestions(), 150));
  }

  // Switch the composer to another conversation, keeping each one's draft.
  setDraftKey(key) {
    this.saveDraft();
    if (key === this.draftKey) return; // the same conversation again: keep the box as it is
    this.draftKey = key;
    const saved = key ? loadDraft(key) : null;
    this.area.value = saved ? saved.text || '' : '';
    this.retry = saved && saved.retry ? saved.retry : null;
    this.hideError();
    this.closeSuggestions();
    this.autosize();
    if (saved && saved.sending && saved.sending.length) this.recoverSends(key);
  }

  // Sends that no live page is waiting on (the page was reloaded or closed before the
  // server answered) go back in the box. The server may have the message already:
  // keeping its client_msg_id makes sending it again return that one, not a copy.
  async recoverSends(key) {
    const saved = loadDraft(key) || {};
    const ids = (saved.sending || []).map((s) => s.clientMsgId).filter((id) => !inFlight.has(id));
    if (!ids.length) return;
    await Promise.all(ids.map(settledElsewhere));
    if (this.draftKey !== key) return; // found again when the conversation is opened
    const d = loadDraft(key) || {};
    const lost = (d.sending || []).filter((s) => ids.includes(s.clientMsgId));
    if (!lost.length) return;
    const now = this.area.value;
    this.area.value = [...lost.map((s) => s.text), now].filter(Boolean).join('\n');
    if (lost.length === 1) this.retry = { text: lost[0].text, clientMsgId: lost[0].clientMsgId };
    d.sending = d.sending.filter((s) => !ids.includes(s.clientMsgId));
    d.text = this.area.value;
    d.retry = this.retry;
    storeDraft(key, d);
    this.autosize();
    this.showError('Sending was interrupted, the message may not have arrived.');
  }

  saveDraft() {
    updateDraft(this.draftKey, (d) => {
      d.text = this.area.value;
      d.retry = this.retry;
    });
  }

  focus() {
    this.autosize();
    this.area.focus();
  }

  insert(text) {
    const a = this.area;
    const start = a.selectionStart ?? a.value.length;
    const end = a.selectionEnd ?? a.value.length;
    a.value = a.value.slice(0, start) + text + a.value.slice(end);
    const caret = start + text.length;
    a.focus();
    a.setSelectionRange(caret, caret);
    this.onInput();
  }

  showError(message) {
    this.error.replaceChildren(
      h('span', { text: message }),
      ' ',
      h('button', { type: 'button', class: 'link', text: 'Retry', onclick: () => this.submit() }),
    );
    this.error.hidden = false;
  }

  hideError() {
    this.error.hidden = true;
    this.error.replaceChildren();
  }

  async submit() {
    const text = this.area.value;
    if (!text.trim()) return;
    this.closeSuggestions();
    // Same text as a failed attempt: reuse its id so the server can deduplicate.
    const clientMsgId = this.retry && this.retry.text === text ? this.retry.clientMsgId : uuid();
    const key = this.draftKey;
    this.retry = null;
    this.area.value = '';
    this.autosize();
    this.hideError();
    inFlight.add(clientMsgId);
    try {
      await withSendLock(clientMsgId, () => this.deliver(key, text, clientMsgId));
    } finally {
      inFlight.delete(clientMsgId);
    }
  }

  async deliver(key, text, clientMsgId) {
    // The text leaves the box but stays in the draft until the server has it.
    updateDraft(key, (d) => {
      if (this.draftKey === key) {
        d.text = this.area.value;
        d.retry = this.retry;
      }
      d.sending = [...(d.sending || []), { text, clientMsgId }];
    });
    try {
      await this.opts.send(text, clientMsgId);
      updateDraft(key, (d) => dropSending(d, clientMsgId));
    } catch (err) {
      if (leaving) return;
      // Give the text back: nothing typed is ever lost.
      const retry = { text, clientMsgId };
      if (this.draftKey === key) {
        const now = this.area.value;
        this.area.value = now ? `${text}\n${now}` : text;
        this.retry = retry;
        this.autosize();
        updateDraft(key, (d) => {
          dropSending(d, clientMsgId);
          d.text = this.area.value;
          d.retry = retry;
        });
        this.showError(`Message not sent: ${errorText(err)}`);
        this.area.focus();
      } else {
        updateDraft(key, (d) => {
          dropSending(d, clientMsgId);
          d.text = d.text ? `${text}\n${d.text}` : text;
          d.retry = retry;
        });
      }
    }
  }

  autosize() {
    const a = this.area;
    a.style.height = 'auto';
    if (!a.isConnected || a.offsetParent === null) return; // not laid out yet
    a.style.height = `${Math.min(a.scrollHeight, 200)}px`;
  }

  onInput() {
    this.autosize();
    this.saveDraft();
    this.updateSuggestions();
    const now = Date.now();
    if (this.area.value.trim() && now - this.lastTypingAt > TYPING_EVERY_MS) {
      this.lastTypingAt = now;
      if (this.opts.onTyping) this.opts.onTyping();
    }
  }

  onKey(ev) {
    if (!this.list.hidden && this.suggestions.length) {
      if (ev.key === 'ArrowDown' || ev.key === 'ArrowUp') {
        ev.preventDefault();
        const n = this.suggestions.length;
        this.active = (this.active + (ev.key === 'ArrowDown' ? 1 : n - 1)) % n;
        this.drawSuggestions();
        return;
      }
      if (ev.key === 'Enter' || ev.key === 'Tab') {
        ev.preventDefault();
        this.pick(this.suggestions[this.active]);
        return;
      }
      if (ev.key === 'Escape') {
        ev.preventDefault();
        ev.stopPropagation();
        this.closeSuggestions();
        return;
      }
    }
    if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
      ev.preventDefault();
      this.submit();
    } else if (ev.key === 'ArrowUp' && !this.area.value && this.opts.onEditLast) {
      ev.preventDefault();
      this.opts.onEditLast();
    }
  }

  mentionQuery() {
    const a = this.area;
    const before = a.value.slice(0, a.selectionStart ?? a.value.length);
    const m = /(^|[\s(])@([\p{L}\p{N}._-]*)$/u.exec(before);
    return m ? { query: m[2].toLowerCase(), start: before.length - m[2].length - 1 } : null;
  }

  updateSuggestions() {
    const q = this.mentionQuery();
    if (!q) return this.closeSuggestions();
    const users = (this.opts.members ? this.opts.members() : []).filter(
      (u) =>
        u.username.toLowerCase().startsWith(q.query) ||
        displayName(u).toLowerCase().split(/\s+/).some((w) => w.startsWith(q.query)),
    );
    const specials = SPECIAL_MENTIONS.filter((s) => s.username.startsWith(q.query));
    this.suggestions = [
      ...users.slice(0, 8).map((u) => ({ username: u.username, user: u })),
      ...specials,
    ];
    this.mentionStart = q.start;
    if (!this.suggestions.length) return this.closeSuggestions();
    this.active = Math.min(this.active, this.suggestions.length - 1);
    this.drawSuggestions();
  }

  drawSuggestions() {
    const items = this.suggestions.map((s, i) => {
      const id = `${this.listId}-${i}`;
      const li = h(
        'li',
        {
          id,
          role: 'option',
          class: i === this.active ? 'active' : '',
          'aria-selected': i === this.active ? 'true' : 'false',
        },
        s.user ? avatar(s.user, 'xs') : h('span', { class: 'special', text: '@' }),
        h('strong', { text: s.user ? displayName(s.user) : `@${s.username}` }),
        h('span', { class: 'muted', text: s.user ? `@${s.username}` : s.label }),
      );
      li.addEventListener('mousedown', (ev) => {
        ev.preventDefault();
        this.pick(s);
      });
      return li;
    });
    this.list.replaceChildren(...items);
    this.list.hidden = false;
    this.area.setAttribute('aria-expanded', 'true');
    this.area.setAttribute('aria-activedescendant', `${this.listId}-${this.active}`);
  }

  closeSuggestions() {
    this.list.hidden = true;
    this.suggestions = [];
    this.active = 0;
    this.area.setAttribute('aria-expanded', 'false');
    this.area.removeAttribute('aria-activedescendant');
  }

  pick(s) {
    const a = this.area;
    const caret = a.selectionStart ?? a.value.length;
    const before = a.value.slice(0, this.mentionStart);
    const after = a.value.slice(caret);
    const insert = `@${s.username} `;
    a.value = before + insert + after;
    const pos = before.length + insert.length;
    a.setSelectionRange(pos, pos);
    this.closeSuggestions();
    this.autosize();
    this.saveDraft();
    a.focus();
  }
}

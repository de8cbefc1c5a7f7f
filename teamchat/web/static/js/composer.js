// The message composer: Enter sends, Shift+Enter breaks a line, @mention
// autocomplete, emoji picker, drafts that survive failures and channel switches,
// and a client_msg_id reused on retry so a message is never posted twice.

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

function loadDraft(key) {
  try {
    return JSON.parse(localStorage.getItem(key) || 'null');
  } catch {
    return null;
  }
}

export class Composer {
  // opts: {label, placeholder, send(text, clientMsgId) -> Promise, members() -> users,
  //        onTyping(), onEditLast(), draftKey}
  constructor(opts) {
    this.opts = opts;
    this.draftKey = null;
    this.retry = null; // {text, clientMsgId} of a send that failed
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
    this.draftKey = key;
    const saved = key ? loadDraft(key) : null;
    this.area.value = saved ? saved.text || '' : '';
    this.retry = saved && saved.retry ? saved.retry : null;
    this.hideError();
    this.closeSuggestions();
    this.autosize();
  }

  saveDraft() {
    if (!this.draftKey) return;
    const text = this.area.value;
    if (text || this.retry) {
      localStorage.setItem(this.draftKey, JSON.stringify({ text, retry: this.retry }));
    } else {
      localStorage.removeItem(this.draftKey);
    }
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
    this.retry = { text, clientMsgId };
    const key = this.draftKey;
    this.area.value = '';
    this.autosize();
    this.hideError();
    this.saveDraft();
    try {
      await this.opts.send(text, clientMsgId);
      if (this.retry && this.retry.clientMsgId === clientMsgId) this.retry = null;
      if (this.draftKey === key) this.saveDraft();
    } catch (err) {
      // Give the text back: nothing typed is ever lost.
      if (this.draftKey === key) {
        const now = this.area.value;
        this.area.value = now ? `${text}\n${now}` : text;
        this.autosize();
        this.saveDraft();
        this.showError(`Message not sent: ${errorText(err)}`);
        this.area.focus();
      } else if (key) {
        const saved = loadDraft(key) || { text: '' };
        const merged = saved.text ? `${text}\n${saved.text}` : text;
        localStorage.setItem(key, JSON.stringify({ text: merged, retry: { text, clientMsgId } }));
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

import { MIN_PASSWORD_LENGTH } from '../../access/passwords.ts';
import type { LinkState } from '../../access/invitations.ts';
import { escapeHtml, page } from './html.ts';

/** Pages behind invitation and password-reset links, in the sign-in page's look (html.ts). */

const error = (message: string | undefined) => (message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : '');
const passwordHint = `<p class="note">At least ${MIN_PASSWORD_LENGTH} characters; a phrase of unrelated words is easiest.</p>`;

export interface InvitationPageOptions {
  token: string;
  email: string;
  /** "a member of Client A". */
  role: string;
  name?: string;
  error?: string;
}

/** Accepting an invitation: a name and a password, then the person is signed in. */
export function invitationPage(options: InvitationPageOptions): string {
  return page('Accept the invitation', `<h1>Welcome</h1>
<p>You are invited as ${escapeHtml(options.role)}. Choose your name and a password for <strong>${escapeHtml(options.email)}</strong>.</p>
${error(options.error)}
<form method="post" action="/invitations/${encodeURIComponent(options.token)}">
  <input type="hidden" name="username" value="${escapeHtml(options.email)}" autocomplete="username">
  <label for="name">Your name</label>
  <input id="name" name="name" type="text" autocomplete="name" maxlength="200" required autofocus value="${escapeHtml(options.name ?? '')}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required>
  ${passwordHint}
  <button type="submit">Create my account</button>
</form>`);
}

/** Asking for a reset link: the same answer whether or not the address has an account. */
export function resetRequestPage(options: { error?: string } = {}): string {
  return page('Reset your password', `<h1>Reset your password</h1>
<p>Enter the email address you sign in with; we send a link to set a new password to it.</p>
${error(options.error)}
<form method="post" action="/password-reset">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" maxlength="320" required autofocus>
  <button type="submit">Send me a link</button>
</form>
<p><a href="/login">Back to sign-in</a></p>`);
}

export function resetSentPage(hours: number): string {
  return page('Check your email', `<h1>Check your email</h1>
<p>If an account exists for that address, a link to set a new password is on its way to it. It works once, for ${hours} hours.</p>
<p class="note">No email? Check the spam folder, or ask an admin of this platform for a reset link.</p>
<p><a href="/login">Back to sign-in</a></p>`);
}

export function resetPage(options: { token: string; email: string; error?: string }): string {
  return page('Set a new password', `<h1>Set a new password</h1>
<p>For <strong>${escapeHtml(options.email)}</strong>. Setting it signs you out everywhere else.</p>
${error(options.error)}
<form method="post" action="/password-reset/${encodeURIComponent(options.token)}">
  <input type="hidden" name="username" value="${escapeHtml(options.email)}" autocomplete="username">
  <label for="password">New password</label>
  <input id="password" name="password" type="password" autocomplete="new-password" minlength="${MIN_PASSWORD_LENGTH}" required autofocus>
  ${passwordHint}
  <button type="submit">Set the password</button>
</form>`);
}

const GONE: Record<Exclude<LinkState, 'live'> | 'unknown', string> = {
  unknown: 'This link is not valid. Check that it was copied whole, or ask for a new one.',
  expired: 'This link has expired. Ask for a new one.',
  used: 'This link has been used already: each link works once. Sign in, or ask for a new link.',
  revoked: 'This link was withdrawn (a newer one may have replaced it). Ask for a new one.',
};

/** A link that cannot be used (any more), and why. */
export function linkGonePage(purpose: 'invite' | 'reset', state: Exclude<LinkState, 'live'> | 'unknown'): string {
  const title = purpose === 'invite' ? 'This invitation cannot be used' : 'This reset link cannot be used';
  const next = purpose === 'invite' ? '<a href="/login">Sign in</a>' : '<a href="/password-reset">Ask for a new reset link</a> · <a href="/login">Sign in</a>';
  return page(title, `<h1>${escapeHtml(title)}</h1><p>${escapeHtml(GONE[state])}</p><p>${next}</p>`);
}

export const goneMessage = (state: Exclude<LinkState, 'live'> | 'unknown') => GONE[state];

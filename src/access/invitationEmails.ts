import type { Email } from '../notify/mailer.ts';
import type { Invitation } from './invitations.ts';

/** The invitation and password-reset emails (plain text and HTML); the link is marked secret for the outbox. */

const escapeHtml = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
const until = (iso: string) => `${iso.slice(0, 16).replace('T', ' ')} UTC`;

/** "an admin", "an operator of Client A, Client B", "a member of Client A". */
export function roleText(invitation: Pick<Invitation, 'role' | 'allClients' | 'clients'>, clientName: (id: string) => string): string {
  const names = Object.keys(invitation.clients).map(clientName).join(', ');
  switch (invitation.role) {
    case 'admin': return 'an admin';
    case 'operator': return invitation.allClients ? 'an operator of every client' : names ? `an operator of ${names}` : 'an operator';
    default: return `a member of ${names || 'a client'}`;
  }
}

function email(to: string, subject: string, paragraphs: string[], link: string, action: string): Email {
  const [intro, ...rest] = paragraphs;
  return {
    to,
    subject,
    text: `${intro}\n\n${link}\n\n${rest.join('\n\n')}\n`,
    html: `<p>${escapeHtml(intro!)}</p>\n<p><a href="${escapeHtml(link)}">${escapeHtml(action)}</a><br>${escapeHtml(link)}</p>\n${rest.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}`,
    secretLinks: [link, escapeHtml(link)],
  };
}

export function invitationEmail(invitation: Invitation, link: string, role: string): Email {
  return email(invitation.email, 'You are invited to Chatbot Analytics', [
    `${invitation.invitedBy.label} invited you to Chatbot Analytics as ${role}. Choose your name and password here:`,
    `The link works once, until ${until(invitation.expiresAt)}. If you did not expect this invitation, ignore this email.`,
  ], link, 'Accept the invitation');
}

export function resetEmail(reset: Invitation, link: string, requestedByThePerson: boolean): Email {
  const who = requestedByThePerson
    ? `Someone (we hope you) asked to reset the Chatbot Analytics password of ${reset.email}. Set a new password here:`
    : `${reset.invitedBy.label} created a link for you to set a new Chatbot Analytics password (for ${reset.email}):`;
  return email(reset.email, 'Set a new Chatbot Analytics password', [
    who,
    `The link works once, until ${until(reset.expiresAt)}; setting the password signs you out everywhere else.` +
      (requestedByThePerson ? ' If it was not you, ignore this email: your password stays as it is.' : ''),
  ], link, 'Set a new password');
}

import { h } from '../../app/dom.ts';
import { call, type Delivery, type Invitation, type Me } from '../api.ts';
import { actions, field, FormRunner, input, valueOf } from '../forms.ts';
import { shownOnce } from '../secret.ts';
import { GrantFields } from './grantFields.ts';

interface Invited {
  invitation: Invitation;
  link: string;
  emailed: boolean;
  delivery: Delivery;
}

/** Whether the email went out, and what to do when it did not. */
function deliveryText(invited: Invited): string {
  const to = invited.invitation.email;
  if (invited.emailed) return `Emailed to ${to}. You can also send them the link yourself.`;
  if (invited.delivery.status === 'outbox-only') return `Not emailed: this platform sends no email (no SMTP_URL, or demo data). Send ${to} the link yourself.`;
  return `Sending the email failed (${invited.delivery.error ?? 'unknown error'}). Send ${to} the link yourself.`;
}

/** Invites a person (`POST /api/invitations`) and shows the link, this once, and whether it was emailed. */
export function inviteForm(me: Me, secretSlot: HTMLElement, invited: () => void): HTMLFormElement {
  const grant = new GrantFields(me);
  const form = h('form', { class: 'settings-form', 'data-form': 'invite' },
    field('Email', input('email', { type: 'email', required: true, maxlength: 320, autocomplete: 'off' })),
    grant.element,
    actions(h('button', { type: 'submit', class: 'primary' }, 'Invite')),
  );
  new FormRunner(form, 'invite this person').onSubmit(async () => {
    const { role, clients, allClients } = grant.value();
    const answer = await call<Invited>('POST', '/api/invitations', {
      email: valueOf(form, 'email'), role, ...(Object.keys(clients).length ? { clients } : {}), ...(allClients ? { allClients } : {}),
    });
    form.reset();
    grant.refresh();
    const box = shownOnce(`Invitation link for ${answer.invitation.email}`, answer.link,
      'It works once, for 48 hours, and you will not see it again here: it signs them in.');
    box.append(h('p', { class: 'delivery', 'data-emailed': String(answer.emailed) }, deliveryText(answer)));
    secretSlot.replaceChildren(box);
    invited();
  });
  return form;
}

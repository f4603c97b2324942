import type { Child } from 'hono/jsx';
import { translator } from './i18n';
import { Csrf, Page } from './layout';
import type { Session } from './session';

/**
 * Actions that cannot be taken back (delete, stop, block, renew, skip or cancel a step, cancel an order) ask
 * first, on a page of their own: the action's form posts without `confirmed`, and the server answers with
 * this page, which says in words what will happen and posts the same fields again with `confirmed=yes`.
 * Rendered on the server, it works with or without the page script; "Back" leaves everything as it was.
 */
export const CONFIRMED_FIELD = 'confirmed';

export const isConfirmed = (form: Record<string, string>) => form[CONFIRMED_FIELD] === 'yes';

export interface Confirmation {
  /** The question, e.g. "Delete subscription #12 · Backup?". */
  title: string;
  /** What will happen, one sentence each. */
  consequences: string[];
  /** A risk to read before going on (a vendor step skipped: the resource may not exist). */
  warning?: string;
  /** The form to post again, and its fields (what the person typed). */
  action: string;
  fields: Record<string, string>;
  /** Labels of the typed fields worth showing back (the reason), by field name. */
  shown?: Record<string, string>;
  confirmLabel: string;
  /** Where "Back" goes: the record, unchanged. */
  back: string;
}

export function ConfirmPage({ session, confirmation: c, children }: { session: Session; confirmation: Confirmation; children?: Child }) {
  const t = translator(session.language);
  return (
    <Page title={c.title} session={session}>
      <section class="confirm" role="alertdialog" aria-labelledby="confirm-title">
        <h1 id="confirm-title">{c.title}</h1>
        <ul class="consequences">
          {c.consequences.map((text) => (
            <li>{text}</li>
          ))}
        </ul>
        {c.warning ? (
          <p class="warning" role="alert">
            {c.warning}
          </p>
        ) : null}
        {c.shown ? (
          <dl class="fields">
            {Object.entries(c.shown).map(([name, label]) => (
              <>
                <dt>{label}</dt>
                <dd>{c.fields[name] ?? ''}</dd>
              </>
            ))}
          </dl>
        ) : null}
        <form method="post" action={c.action} class="confirm-form">
          <Csrf session={session} />
          {Object.entries(c.fields).map(([name, value]) => (
            <input type="hidden" name={name} value={value} />
          ))}
          <input type="hidden" name={CONFIRMED_FIELD} value="yes" />
          {children}
          <button type="submit" class="confirm danger">
            {c.confirmLabel}
          </button>{' '}
          <a href={c.back} class="back">
            {t('confirm.back')}
          </a>
        </form>
      </section>
    </Page>
  );
}

/** The fields of a posted form worth posting again (everything but the form token and the confirmation). */
export function carried(form: Record<string, string>): Record<string, string> {
  const { _csrf: _token, [CONFIRMED_FIELD]: _confirmed, ...rest } = form;
  return rest;
}

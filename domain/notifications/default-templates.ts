// The notification templates shipped with the platform (installed at start, see
// activities/notifications/defaults.ts): for every event an email in English and Russian; for every
// client-audience event a control-panel notification; for the events a client wants on the phone, an SMS.
//
// Client templates go to the client's owner ({{owner.email}}, {{owner.phone}}, {{owner.id}}). Staff events
// (manual_operation, task_failed) have no staff placeholder to address, so their emails go to the fixed
// address `support@localhost`: operators change it to their support mailbox (editing the template marks it
// modified, and upgrades then leave it alone).
//
// Every template uses only its event's placeholders (templates.test.ts validates them all). Amounts go
// through `money`, dates through `date`, day counts through `plural`. Static text contains no `<`, `>` or `&`,
// so the HTML version can be built from the same paragraphs as the text version.

import { notificationEventKeys, notificationEvents, type NotificationEvent, type NotificationLanguage } from './catalog';
import type { TemplateDefinition } from './templates';

export type DefaultTemplate = { key: string; name: string } & TemplateDefinition;

/** An email: subject and body paragraphs (a "\n" inside a paragraph is a line break). */
interface Email {
  subject: string;
  paragraphs: string[];
}
/** A control-panel notification: title and body. */
interface Panel {
  subject: string;
  text: string;
}
type Localized<T> = Record<NotificationLanguage, T>;

/** `{{#if (eq <name> "a")}}A{{else if (eq <name> "b")}}B{{else}}other{{/if}}`: a label per value. */
function choose(name: string, labels: Record<string, string>, otherwise: string): string {
  const branches = Object.entries(labels).map(([value, label]) => `(eq ${name} "${value}")}}${label}`);
  return `{{#if ${branches.join('{{else if ')}{{else}}${otherwise}{{/if}}`;
}

/** "in 3 days" / "через 3 дня", "today" / "сегодня" when the count is 0. */
const inDays = (name: string) => ({
  en: `{{#if (eq ${name} 0)}}today{{else}}in {{${name}}} {{plural ${name} "day" "days" "days"}}{{/if}}`,
  ru: `{{#if (eq ${name} 0)}}сегодня{{else}}через {{${name}}} {{plural ${name} "день" "дня" "дней"}}{{/if}}`,
});

const greeting: Localized<string> = { en: 'Hello {{owner.name}},', ru: 'Здравствуйте, {{owner.name}}!' };
const signature: Localized<string> = { en: 'Best regards,\nCustomer support', ru: 'С уважением,\nслужба поддержки' };
const staffGreeting: Localized<string> = { en: 'Hello,', ru: 'Здравствуйте!' };
const staffSignature: Localized<string> = {
  en: 'This message was sent automatically by the billing platform.',
  ru: 'Это сообщение отправлено платформой биллинга автоматически.',
};

// ---------------------------------------------------------------------------------------------
// Labels

const orderStatus: Localized<string> = {
  en: choose(
    'order.status',
    {
      awaiting_payment: 'awaiting payment',
      awaiting_provisioning: 'paid',
      provisioning: 'in progress',
      completed: 'completed',
      cancelled: 'cancelled',
      activation_error: 'activation error',
    },
    'status changed',
  ),
  ru: choose(
    'order.status',
    {
      awaiting_payment: 'ожидает оплаты',
      awaiting_provisioning: 'оплачен',
      provisioning: 'выполняется',
      completed: 'выполнен',
      cancelled: 'отменён',
      activation_error: 'ошибка активации',
    },
    'статус изменён',
  ),
};

const subscriptionStatus: Localized<string> = {
  en: choose(
    'subscription.status',
    {
      active: 'active',
      payment_overdue: 'payment overdue',
      stopped: 'stopped',
      blocked: 'blocked',
      awaiting_manual_confirmation: 'awaiting confirmation',
      deleted: 'deleted',
    },
    'status changed',
  ),
  ru: choose(
    'subscription.status',
    {
      active: 'активна',
      payment_overdue: 'просрочена оплата',
      stopped: 'остановлена',
      blocked: 'заблокирована',
      awaiting_manual_confirmation: 'ожидает подтверждения',
      deleted: 'удалена',
    },
    'статус изменён',
  ),
};

const operationStatus: Localized<string> = {
  en: choose('operation.status', { pending: 'waiting for a decision', approved: 'approved', rejected: 'rejected' }, '{{operation.status}}'),
  ru: choose('operation.status', { pending: 'ожидает решения', approved: 'одобрена', rejected: 'отклонена' }, '{{operation.status}}'),
};

const paymentCancelled = '(eq payment.status "cancelled")';
const accountActive = '(eq account.status "active")';

const money = {
  order: '{{money order.total order.currency}}',
  payment: '{{money payment.total payment.currency}}',
  balance: '{{money account.balance account.currency}}',
  renewal: '{{money subscription.renewal_amount account.currency}}',
  promised: '{{money guaranteed_payment.total account.currency}}',
  invoice: '{{money invoice.total account.currency}}',
};

// ---------------------------------------------------------------------------------------------
// Emails

const emails: Record<NotificationEvent, Localized<Email>> = {
  order_created: {
    en: {
      subject: 'Order {{order.number}} is awaiting payment',
      paragraphs: [
        'Your order {{order.number}} has been created.',
        `{{#if subscription.name}}Subscription: {{subscription.name}}\n{{/if}}Amount due: ${money.order}{{#if payment.document_number}}\nPayment: {{payment.document_number}}{{/if}}{{#if payment.expiration_date}}\nDue date: {{date payment.expiration_date 'long'}}{{/if}}`,
        'Please pay the order so that we can start processing it.',
      ],
    },
    ru: {
      subject: 'Заказ {{order.number}} ожидает оплаты',
      paragraphs: [
        'Ваш заказ {{order.number}} создан.',
        `{{#if subscription.name}}Подписка: {{subscription.name}}\n{{/if}}Сумма к оплате: ${money.order}{{#if payment.document_number}}\nПлатёж: {{payment.document_number}}{{/if}}{{#if payment.expiration_date}}\nСрок оплаты: {{date payment.expiration_date 'long'}}{{/if}}`,
        'Оплатите заказ, чтобы мы могли приступить к его выполнению.',
      ],
    },
  },
  order_changed: {
    en: {
      subject: `Order {{order.number}}: ${orderStatus.en}`,
      paragraphs: [
        `The status of your order {{order.number}} has changed: ${orderStatus.en}.`,
        `{{#if subscription.name}}Subscription: {{subscription.name}}\n{{/if}}Order amount: ${money.order}`,
        '{{#if (eq order.status "activation_error")}}We are already working on the problem and will let you know when it is solved.{{else}}You can see the details in your control panel.{{/if}}',
      ],
    },
    ru: {
      subject: `Заказ {{order.number}}: ${orderStatus.ru}`,
      paragraphs: [
        `Статус вашего заказа {{order.number}} изменился: ${orderStatus.ru}.`,
        `{{#if subscription.name}}Подписка: {{subscription.name}}\n{{/if}}Сумма заказа: ${money.order}`,
        '{{#if (eq order.status "activation_error")}}Мы уже работаем над решением проблемы и сообщим вам, когда она будет устранена.{{else}}Подробности можно посмотреть в панели управления.{{/if}}',
      ],
    },
  },
  subscription_changed: {
    en: {
      subject: `Subscription "{{subscription.name}}": ${subscriptionStatus.en}`,
      paragraphs: [
        `The status of your subscription "{{subscription.name}}" has changed: ${subscriptionStatus.en}.`,
        '{{#if (eq subscription.status "payment_overdue")}}Please top up your balance or pay the outstanding invoice to keep the service running.{{else if (eq subscription.status "blocked")}}Please contact support for details.{{else}}You can see the details in your control panel.{{/if}}',
      ],
    },
    ru: {
      subject: `Подписка «{{subscription.name}}»: ${subscriptionStatus.ru}`,
      paragraphs: [
        `Статус вашей подписки «{{subscription.name}}» изменился: ${subscriptionStatus.ru}.`,
        '{{#if (eq subscription.status "payment_overdue")}}Чтобы сервис продолжал работать, пополните баланс или оплатите выставленный счёт.{{else if (eq subscription.status "blocked")}}Подробности можно узнать в службе поддержки.{{else}}Подробности можно посмотреть в панели управления.{{/if}}',
      ],
    },
  },
  before_subscription_expiration: {
    en: {
      subject: `Subscription "{{subscription.name}}" expires ${inDays('subscription.days_left').en}`,
      paragraphs: [
        `Your subscription "{{subscription.name}}" expires on {{date subscription.expiration_date 'long'}}.`,
        `{{#if subscription.auto_renewal}}It will be renewed automatically{{#if subscription.renewal_amount}} for ${money.renewal}{{/if}}. Please make sure your balance covers the renewal.{{else}}Automatic renewal is off. Renew the subscription in your control panel to avoid an interruption of the service.{{/if}}`,
      ],
    },
    ru: {
      subject: `Подписка «{{subscription.name}}» истекает ${inDays('subscription.days_left').ru}`,
      paragraphs: [
        `{{date subscription.expiration_date 'long'}} истекает срок действия вашей подписки «{{subscription.name}}».`,
        `{{#if subscription.auto_renewal}}Подписка будет продлена автоматически{{#if subscription.renewal_amount}} за ${money.renewal}{{/if}}. Убедитесь, что на балансе достаточно средств.{{else}}Автопродление отключено. Продлите подписку в панели управления, чтобы сервис работал без перерыва.{{/if}}`,
      ],
    },
  },
  after_subscription_expiration: {
    en: {
      subject: 'Subscription "{{subscription.name}}" has expired',
      paragraphs: [
        `Your subscription "{{subscription.name}}" expired on {{date subscription.expiration_date 'long'}}{{#if subscription.days_passed}} ({{subscription.days_passed}} {{plural subscription.days_passed "day" "days" "days"}} ago){{/if}}.`,
        'Renew it in your control panel to restore the service.',
      ],
    },
    ru: {
      subject: 'Срок действия подписки «{{subscription.name}}» истёк',
      paragraphs: [
        `{{date subscription.expiration_date 'long'}} истёк срок действия вашей подписки «{{subscription.name}}»{{#if subscription.days_passed}} ({{subscription.days_passed}} {{plural subscription.days_passed "день" "дня" "дней"}} назад){{/if}}.`,
        'Продлите подписку в панели управления, чтобы возобновить работу сервиса.',
      ],
    },
  },
  payment_received: {
    en: {
      subject: `{{#if ${paymentCancelled}}}Payment {{payment.document_number}} has been cancelled{{else}}Payment {{payment.document_number}} received{{/if}}`,
      paragraphs: [
        `{{#if ${paymentCancelled}}}Payment {{payment.document_number}} for ${money.payment} has been cancelled.{{else}}We have received your payment {{payment.document_number}} for ${money.payment}. Thank you!{{/if}}`,
        `Your balance: ${money.balance}`,
      ],
    },
    ru: {
      subject: `{{#if ${paymentCancelled}}}Платёж {{payment.document_number}} отменён{{else}}Платёж {{payment.document_number}} получен{{/if}}`,
      paragraphs: [
        `{{#if ${paymentCancelled}}}Платёж {{payment.document_number}} на сумму ${money.payment} отменён.{{else}}Мы получили ваш платёж {{payment.document_number}} на сумму ${money.payment}. Спасибо!{{/if}}`,
        `Ваш баланс: ${money.balance}`,
      ],
    },
  },
  joined_payment_created: {
    en: {
      subject: 'Your payments have been combined into payment {{payment.document_number}}',
      paragraphs: [
        `Several of your payments have been combined into one: {{payment.document_number}} for ${money.payment}.`,
        `{{#if payment.orders}}Orders: {{payment.orders}}\n{{/if}}Amount due: ${money.payment}{{#if payment.expiration_date}}\nDue date: {{date payment.expiration_date 'long'}}{{/if}}`,
      ],
    },
    ru: {
      subject: 'Ваши платежи объединены в платёж {{payment.document_number}}',
      paragraphs: [
        `Несколько ваших платежей объединены в один: {{payment.document_number}} на сумму ${money.payment}.`,
        `{{#if payment.orders}}Заказы: {{payment.orders}}\n{{/if}}Сумма к оплате: ${money.payment}{{#if payment.expiration_date}}\nСрок оплаты: {{date payment.expiration_date 'long'}}{{/if}}`,
      ],
    },
  },
  payment_due_date_coming: {
    en: {
      subject: `Payment {{payment.document_number}} is due ${inDays('payment.days_left').en}`,
      paragraphs: [
        `Payment {{payment.document_number}} for ${money.payment} is due on {{date payment.expiration_date 'long'}}.`,
        'Please pay it on time to avoid restrictions on your services. If you have already paid it, please ignore this message.',
      ],
    },
    ru: {
      subject: `Срок оплаты платежа {{payment.document_number}} истекает ${inDays('payment.days_left').ru}`,
      paragraphs: [
        `Оплатите платёж {{payment.document_number}} на сумму ${money.payment} не позднее {{date payment.expiration_date 'long'}}, чтобы избежать ограничений в работе ваших услуг.`,
        'Если вы уже оплатили его, не обращайте внимания на это письмо.',
      ],
    },
  },
  postpay_payment_created: {
    en: {
      subject: 'Statement of services {{invoice.document_number}}',
      paragraphs: [
        `The statement of services {{invoice.document_number}} for ${money.invoice} has been issued.`,
        `Please pay it with payment {{payment.document_number}} for ${money.payment}{{#if payment.expiration_date}} by {{date payment.expiration_date 'long'}}{{/if}}.`,
      ],
    },
    ru: {
      subject: 'Акт об оказанных услугах {{invoice.document_number}}',
      paragraphs: [
        `Выставлен акт об оказанных услугах {{invoice.document_number}} на сумму ${money.invoice}.`,
        `Для его оплаты сформирован платёж {{payment.document_number}} на сумму ${money.payment}{{#if payment.expiration_date}}: оплатите его не позднее {{date payment.expiration_date 'long'}} включительно{{/if}}.`,
      ],
    },
  },
  account_created: {
    en: {
      subject: 'Welcome! Your account has been created',
      paragraphs: [
        'Your account "{{account.name}}" has been created. Your client number is {{account.id}}.',
        'You can now sign in to the control panel to order services and manage your subscriptions.',
      ],
    },
    ru: {
      subject: 'Добро пожаловать! Ваш аккаунт создан',
      paragraphs: [
        'Ваш аккаунт «{{account.name}}» создан. Номер клиента: {{account.id}}.',
        'Теперь вы можете войти в панель управления, чтобы заказывать услуги и управлять подписками.',
      ],
    },
  },
  account_changed: {
    en: {
      subject: `{{#if ${accountActive}}}Your account has been unblocked{{else}}Your account has been blocked{{/if}}`,
      paragraphs: [
        choose(
          'account.status',
          {
            active: 'Your account "{{account.name}}" has been unblocked. Your services are available again.',
            financially_blocked: `Your account "{{account.name}}" has been blocked because of a negative balance (${money.balance}). Top up your balance to restore access to your services.`,
            administratively_blocked: 'Your account "{{account.name}}" has been blocked by the administrator. Please contact support for details.',
          },
          'The status of your account "{{account.name}}" has changed: {{account.human_status_name}}.',
        ),
      ],
    },
    ru: {
      subject: `{{#if ${accountActive}}}Ваш аккаунт разблокирован{{else}}Ваш аккаунт заблокирован{{/if}}`,
      paragraphs: [
        choose(
          'account.status',
          {
            active: 'Ваш аккаунт «{{account.name}}» разблокирован. Услуги снова доступны.',
            financially_blocked: `Ваш аккаунт «{{account.name}}» заблокирован из-за отрицательного баланса (${money.balance}). Пополните баланс, чтобы восстановить доступ к услугам.`,
            administratively_blocked: 'Ваш аккаунт «{{account.name}}» заблокирован администратором. Подробности можно узнать в службе поддержки.',
          },
          'Статус вашего аккаунта «{{account.name}}» изменился: {{account.human_status_name}}.',
        ),
      ],
    },
  },
  low_balance: {
    en: {
      subject: `Low balance: ${money.balance}`,
      paragraphs: [
        `The balance of your account "{{account.name}}" is ${money.balance}.`,
        'Please top up your balance to keep your services running.',
      ],
    },
    ru: {
      subject: `Низкий баланс: ${money.balance}`,
      paragraphs: [
        `Баланс вашего аккаунта «{{account.name}}» составляет ${money.balance}.`,
        'Пополните баланс, чтобы ваши услуги продолжали работать.',
      ],
    },
  },
  promised_payment_created: {
    en: {
      subject: 'Promised payment {{guaranteed_payment.document_number}} granted',
      paragraphs: [
        `A promised payment of ${money.promised} ({{guaranteed_payment.document_number}}) has been credited to your balance.`,
        "It is valid through {{date guaranteed_payment.expiration_date 'long'}}. Please top up your balance by this date.",
      ],
    },
    ru: {
      subject: 'Предоставлен обещанный платёж {{guaranteed_payment.document_number}}',
      paragraphs: [
        `На ваш баланс зачислен обещанный платёж {{guaranteed_payment.document_number}} на сумму ${money.promised}.`,
        "Он действует до {{date guaranteed_payment.expiration_date 'long'}} включительно. Пополните баланс до этой даты.",
      ],
    },
  },
  promised_payment_changed: {
    en: {
      subject:
        '{{#if (eq guaranteed_payment.status "revoked_by_topup")}}Promised payment {{guaranteed_payment.document_number}} partly covered by a top-up{{else}}Promised payment {{guaranteed_payment.document_number}} has ended{{/if}}',
      paragraphs: [
        `{{#if (eq guaranteed_payment.status "revoked_by_topup")}}Your top-up has partly covered the promised payment {{guaranteed_payment.document_number}}. The rest stays available as a new promised payment until the same date.{{else}}The promised payment {{guaranteed_payment.document_number}} of ${money.promised} is no longer in effect.{{/if}}`,
        `Your balance: ${money.balance}`,
      ],
    },
    ru: {
      subject:
        '{{#if (eq guaranteed_payment.status "revoked_by_topup")}}Обещанный платёж {{guaranteed_payment.document_number}} частично погашен{{else}}Обещанный платёж {{guaranteed_payment.document_number}} больше не действует{{/if}}',
      paragraphs: [
        `{{#if (eq guaranteed_payment.status "revoked_by_topup")}}Ваше пополнение частично покрыло обещанный платёж {{guaranteed_payment.document_number}}. Оставшаяся сумма продолжает действовать как новый обещанный платёж с тем же сроком.{{else}}Обещанный платёж {{guaranteed_payment.document_number}} на сумму ${money.promised} больше не действует.{{/if}}`,
        `Ваш баланс: ${money.balance}`,
      ],
    },
  },
  promised_payment_expiring: {
    en: {
      subject: `Promised payment {{guaranteed_payment.document_number}} expires ${inDays('guaranteed_payment.days_left').en}`,
      paragraphs: [
        `The promised payment {{guaranteed_payment.document_number}} of ${money.promised} is valid through {{date guaranteed_payment.expiration_date 'long'}}.`,
        'Please top up your balance before it expires to keep your services running.',
      ],
    },
    ru: {
      subject: `Обещанный платёж {{guaranteed_payment.document_number}} истекает ${inDays('guaranteed_payment.days_left').ru}`,
      paragraphs: [
        `Обещанный платёж {{guaranteed_payment.document_number}} на сумму ${money.promised} действует до {{date guaranteed_payment.expiration_date 'long'}} включительно.`,
        'Пополните баланс до окончания его срока, чтобы ваши услуги продолжали работать.',
      ],
    },
  },
  manual_operation: {
    en: {
      subject: `Manual operation #{{operation.id}} ({{operation.type}}): ${operationStatus.en}`,
      paragraphs: [
        `Manual operation #{{operation.id}} for the client "{{account.name}}" (ID {{account.id}}): ${operationStatus.en}.`,
        'Type: {{operation.type}}{{#if subscription.name}}\nSubscription: {{subscription.name}} (ID {{subscription.id}}){{/if}}{{#if operation.comment}}\nComment: {{operation.comment}}{{/if}}',
      ],
    },
    ru: {
      subject: `Ручная операция №{{operation.id}} ({{operation.type}}): ${operationStatus.ru}`,
      paragraphs: [
        `Ручная операция №{{operation.id}} по клиенту «{{account.name}}» (ID {{account.id}}): ${operationStatus.ru}.`,
        'Тип: {{operation.type}}{{#if subscription.name}}\nПодписка: {{subscription.name}} (ID {{subscription.id}}){{/if}}{{#if operation.comment}}\nКомментарий: {{operation.comment}}{{/if}}',
      ],
    },
  },
  license_issued: {
    en: {
      subject: 'Your licence key for {{license.product_name}}',
      paragraphs: [
        'Your licence key for {{license.product_name}} is {{license.key}}.',
        'Enter it when the application asks for it; it activates {{license.seats}} {{plural license.seats "computer" "computers" "computers"}}{{#if license.expiration_date}} and is valid through {{date license.expiration_date \'long\'}}{{/if}}.',
      ],
    },
    ru: {
      subject: 'Лицензионный ключ для {{license.product_name}}',
      paragraphs: [
        'Ваш лицензионный ключ для {{license.product_name}}: {{license.key}}.',
        'Введите его, когда программа попросит; он активирует {{license.seats}} {{plural license.seats "компьютер" "компьютера" "компьютеров"}}{{#if license.expiration_date}} и действует до {{date license.expiration_date \'long\'}}{{/if}}.',
      ],
    },
  },
  task_failed: {
    en: {
      subject: 'Task {{task.id}} failed: {{task.plugin}} {{task.operation}}',
      paragraphs: [
        'A plugin call has failed for good and is waiting in the task list for support.',
        'Client: {{account.name}} (ID {{account.id}})\nPlugin: {{task.plugin}}\nOperation: {{task.operation}}\nScenario: {{task.scenario_id}}, step {{task.step}}\nError: {{task.error_class}}: {{task.error_message}}',
      ],
    },
    ru: {
      subject: 'Задача {{task.id}} завершилась ошибкой: {{task.plugin}} {{task.operation}}',
      paragraphs: [
        'Вызов плагина окончательно завершился ошибкой; задача ожидает службу поддержки в очереди задач.',
        'Клиент: {{account.name}} (ID {{account.id}})\nПлагин: {{task.plugin}}\nОперация: {{task.operation}}\nСценарий: {{task.scenario_id}}, шаг {{task.step}}\nОшибка: {{task.error_class}}: {{task.error_message}}',
      ],
    },
  },
};

// ---------------------------------------------------------------------------------------------
// Control panel: title and the email's main paragraph (or a text of its own).

const panelText = (event: NotificationEvent, language: NotificationLanguage): Panel => ({
  subject: emails[event][language].subject,
  text: emails[event][language].paragraphs[0]!,
});

const panelOverrides: Partial<Record<NotificationEvent, Localized<Panel>>> = {
  order_created: {
    en: { subject: 'Order {{order.number}} is awaiting payment', text: `Your order {{order.number}} has been created. Amount due: ${money.order}.` },
    ru: { subject: 'Заказ {{order.number}} ожидает оплаты', text: `Ваш заказ {{order.number}} создан. Сумма к оплате: ${money.order}.` },
  },
  joined_payment_created: {
    en: {
      subject: 'Payments combined into {{payment.document_number}}',
      text: `Several of your payments have been combined into one: {{payment.document_number}} for ${money.payment}.`,
    },
    ru: {
      subject: 'Платежи объединены в платёж {{payment.document_number}}',
      text: `Несколько ваших платежей объединены в один: {{payment.document_number}} на сумму ${money.payment}.`,
    },
  },
};

// ---------------------------------------------------------------------------------------------
// SMS (English texts fit one 160-character message with realistic data).

const smsTexts: Partial<Record<NotificationEvent, Localized<string>>> = {
  order_created: {
    en: `Order {{order.number}} created. Amount due: ${money.order}.`,
    ru: `Заказ {{order.number}} создан. Сумма к оплате: ${money.order}.`,
  },
  payment_received: {
    en: `{{#if ${paymentCancelled}}}Payment {{payment.document_number}} for ${money.payment} has been cancelled.{{else}}Payment {{payment.document_number}} for ${money.payment} received. Thank you!{{/if}}`,
    ru: `{{#if ${paymentCancelled}}}Платёж {{payment.document_number}} на сумму ${money.payment} отменён.{{else}}Платёж {{payment.document_number}} на сумму ${money.payment} получен. Спасибо!{{/if}}`,
  },
  before_subscription_expiration: {
    en: 'Subscription "{{subscription.name}}" expires on {{date subscription.expiration_date}}.{{#if subscription.auto_renewal}} It will be renewed automatically.{{else}} Please renew it.{{/if}}',
    ru: 'Подписка «{{subscription.name}}» истекает {{date subscription.expiration_date}}.{{#if subscription.auto_renewal}} Она будет продлена автоматически.{{else}} Пожалуйста, продлите её.{{/if}}',
  },
  low_balance: {
    en: `Your balance is ${money.balance}. Please top it up to keep your services running.`,
    ru: `Ваш баланс: ${money.balance}. Пополните его, чтобы услуги продолжали работать.`,
  },
  account_changed: {
    en: `{{#if ${accountActive}}}Your account has been unblocked.{{else if (eq account.status "financially_blocked")}}Your account has been blocked: the balance is negative. Please top it up.{{else}}Your account has been blocked. Please contact support.{{/if}}`,
    ru: `{{#if ${accountActive}}}Ваш аккаунт разблокирован.{{else if (eq account.status "financially_blocked")}}Ваш аккаунт заблокирован из-за отрицательного баланса. Пополните баланс.{{else}}Ваш аккаунт заблокирован. Обратитесь в службу поддержки.{{/if}}`,
  },
  payment_due_date_coming: {
    en: `Payment {{payment.document_number}} for ${money.payment} is due on {{date payment.expiration_date}}. Please pay it on time.`,
    ru: `Платёж {{payment.document_number}} на сумму ${money.payment} необходимо оплатить не позднее {{date payment.expiration_date}}.`,
  },
};

// ---------------------------------------------------------------------------------------------
// Assembly

const html = (paragraphs: string[]) =>
  `<div style="font-family: Arial, sans-serif; font-size: 14px; line-height: 1.5">\n${paragraphs
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>\n')}</p>`)
    .join('\n')}\n</div>`;

function emailTemplate(event: NotificationEvent): DefaultTemplate {
  const staff = notificationEvents[event].audience === 'staff';
  const version = (language: NotificationLanguage) => {
    const email = emails[event][language];
    const paragraphs = staff
      ? [staffGreeting[language], ...email.paragraphs, staffSignature[language]]
      : [greeting[language], ...email.paragraphs, signature[language]];
    return { subject: email.subject, html: html(paragraphs), text: `${paragraphs.join('\n\n')}\n` };
  };
  return {
    key: `${event}.email`,
    name: `${notificationEvents[event].name} (email)`,
    channel: 'email',
    event,
    // Staff events: there is no staff placeholder; operators replace this address with their support mailbox.
    recipients: { to: staff ? 'support@localhost' : '{{owner.email}}' },
    versions: { en: version('en'), ru: version('ru') },
    fallbackLanguage: 'en',
  };
}

function panelTemplate(event: NotificationEvent): DefaultTemplate {
  const version = (language: NotificationLanguage) => panelOverrides[event]?.[language] ?? panelText(event, language);
  return {
    key: `${event}.panel`,
    name: `${notificationEvents[event].name} (control panel)`,
    channel: 'panel',
    event,
    recipients: { clientUserId: '{{owner.id}}' },
    versions: { en: version('en'), ru: version('ru') },
    fallbackLanguage: 'en',
  };
}

function smsTemplate(event: NotificationEvent, texts: Localized<string>): DefaultTemplate {
  return {
    key: `${event}.sms`,
    name: `${notificationEvents[event].name} (SMS)`,
    channel: 'sms',
    event,
    recipients: { phone: '{{owner.phone}}' },
    versions: { en: { text: texts.en }, ru: { text: texts.ru } },
    fallbackLanguage: 'en',
  };
}

export const defaultTemplates: DefaultTemplate[] = notificationEventKeys.flatMap((event) => {
  const list = [emailTemplate(event)];
  if (notificationEvents[event].audience === 'client') list.push(panelTemplate(event));
  const sms = smsTexts[event];
  if (sms) list.push(smsTemplate(event, sms));
  return list;
});

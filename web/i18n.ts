/**
 * The operator UI's words in English and Russian, with the spec glossaries' terms. A missing key renders as
 * `⟦key⟧`, which the page-walking test looks for, so an untranslated word cannot slip through.
 */
export const languages = ['en', 'ru'] as const;
export type Language = (typeof languages)[number];

const en = {
  'app.title': 'Billing and provisioning',
  'nav.home': 'Home',
  'nav.logout': 'Sign out',
  'nav.language': 'Русский',
  'login.title': 'Sign in',
  'login.email': 'E-mail',
  'login.password': 'Password',
  'login.submit': 'Sign in',
  'login.failed': 'The e-mail or the password is wrong.',
  'login.locked': 'Too many failed attempts: the account is locked for 15 minutes.',
  'home.title': 'What needs attention',
  'home.failedTasks': 'Failed tasks',
  'home.pendingOperations': 'Manual operations awaiting a decision',
  'home.waitingScenarios': 'Scenarios waiting',
  'home.activationErrors': 'Orders in activation error',
  'home.failedNotifications': 'Failed notifications',
  'home.billingRuns': 'Last billing runs',
  'home.date': 'Business date',
  'home.status': 'Status',
  'home.runs': 'Runs',
  'home.noRuns': 'No billing run yet.',
  'home.signedInAs': 'Signed in as',
  'error.forbidden': 'The form is out of date: reload the page and try again.',
} as const;

export type MessageKey = keyof typeof en;

const ru: Record<MessageKey, string> = {
  'app.title': 'Биллинг и предоставление услуг',
  'nav.home': 'Главная',
  'nav.logout': 'Выйти',
  'nav.language': 'English',
  'login.title': 'Вход',
  'login.email': 'Эл. почта',
  'login.password': 'Пароль',
  'login.submit': 'Войти',
  'login.failed': 'Неверная эл. почта или пароль.',
  'login.locked': 'Слишком много неудачных попыток: учётная запись заблокирована на 15 минут.',
  'home.title': 'Что требует внимания',
  'home.failedTasks': 'Задачи с ошибкой',
  'home.pendingOperations': 'Ручные операции, ожидающие решения',
  'home.waitingScenarios': 'Ожидающие сценарии',
  'home.activationErrors': 'Заказы с ошибкой активации',
  'home.failedNotifications': 'Неотправленные уведомления',
  'home.billingRuns': 'Последние биллинговые прогоны',
  'home.date': 'Операционная дата',
  'home.status': 'Статус',
  'home.runs': 'Запусков',
  'home.noRuns': 'Биллинговых прогонов ещё не было.',
  'home.signedInAs': 'Вы вошли как',
  'error.forbidden': 'Форма устарела: обновите страницу и повторите.',
};

const dictionaries: Record<Language, Partial<Record<MessageKey, string>>> = { en, ru };

export const isLanguage = (value: unknown): value is Language => value === 'en' || value === 'ru';

export function translator(language: Language) {
  return (key: MessageKey): string => dictionaries[language][key] ?? `⟦${key}⟧`;
}

import { notificationStatuses } from '../db/schema/notifications';
import { canDecideManualOperation } from '../domain/operator-decisions';
import { manualOperationTypes } from '../db/schema/scenarios';
import { clientStatuses, orderStatuses, orderTypes, paymentStatuses, paymentTypes, scenarioStatuses, subscriptionStatuses, taskStatuses } from '../domain/statuses';
import { clientList } from '../queries/lists/clients';
import { eventLogList } from '../queries/lists/event-log';
import { manualOperationList } from '../queries/lists/manual-operations';
import { notificationList } from '../queries/lists/notifications';
import { orderList } from '../queries/lists/orders';
import { paymentList } from '../queries/lists/payments';
import { scenarioList } from '../queries/lists/scenarios';
import { subscriptionList } from '../queries/lists/subscriptions';
import { taskTable } from '../queries/lists/tasks';
import { mayWrite, PostButton } from './layout';
import type { ListDefinition, Row } from './lists';

const to = (prefix: string, key = '__id') => (r: Row) => (r[key] === null || r[key] === undefined ? null : `${prefix}/${encodeURIComponent(String(r[key]))}`);

/** The list pages of the operator UI: what each shows and how it is filtered; the rows come from each list's query. */
export const listDefinitions: ListDefinition[] = [
  {
    name: 'orders',
    path: '/orders',
    title: 'nav.orders',
    area: 'operations',
    query: orderList,
    sort: { key: 'id', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id', link: to('/orders') },
      { key: 'number', label: 'col.number', link: to('/orders') },
      { key: 'type', label: 'col.type', kind: 'status' },
      { key: 'status', label: 'col.status', kind: 'status' },
      { key: 'client', label: 'col.client', column: 'clientName', link: to('/clients', 'clientId') },
      { key: 'clientId', label: 'col.clientId', hidden: true },
      { key: 'subscriptionId', label: 'col.subscription', link: to('/subscriptions', 'subscriptionId') },
      { key: 'amount', label: 'col.amount', kind: 'money', currency: 'currency' },
      { key: 'currency', label: 'col.currency', hidden: true },
      { key: 'statusReason', label: 'col.statusReason', hidden: true },
      { key: 'createdAt', label: 'col.createdAt', kind: 'date' },
      { key: 'closedAt', label: 'col.closedAt', kind: 'date', hidden: true },
    ],
    filters: [
      { key: 'status', label: 'col.status', kind: 'enum', options: orderStatuses },
      { key: 'type', label: 'col.type', kind: 'enum', options: orderTypes },
      { key: 'client', label: 'col.client', filter: 'clientName', kind: 'text' },
      { key: 'from', label: 'list.createdFrom', filter: 'createdFrom', kind: 'from' },
      { key: 'to', label: 'list.createdTo', filter: 'createdTo', kind: 'to' },
    ],
  },
  {
    name: 'subscriptions',
    path: '/subscriptions',
    title: 'nav.subscriptions',
    area: 'operations',
    query: subscriptionList,
    sort: { key: 'id', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id', link: to('/subscriptions') },
      { key: 'name', label: 'col.name', link: to('/subscriptions') },
      { key: 'status', label: 'col.status', kind: 'status' },
      { key: 'client', label: 'col.client', column: 'clientName', link: to('/clients', 'clientId') },
      { key: 'clientId', label: 'col.clientId', hidden: true },
      { key: 'plan', label: 'col.plan', column: 'planName' },
      { key: 'paymentModel', label: 'col.paymentModel', kind: 'status', hidden: true },
      { key: 'autoRenew', label: 'col.autoRenew', column: 'autoRenewMark', hidden: true },
      { key: 'startDate', label: 'col.startDate' },
      { key: 'expirationDate', label: 'col.expirationDate' },
      { key: 'createdAt', label: 'col.createdAt', kind: 'date', hidden: true },
    ],
    filters: [
      { key: 'status', label: 'col.status', kind: 'enum', options: subscriptionStatuses },
      { key: 'client', label: 'col.client', filter: 'clientName', kind: 'text' },
      { key: 'plan', label: 'col.plan', filter: 'planName', kind: 'text' },
      { key: 'expiresFrom', label: 'list.expiresFrom', kind: 'from' },
      { key: 'expiresTo', label: 'list.expiresTo', kind: 'to' },
    ],
  },
  {
    name: 'clients',
    path: '/clients',
    title: 'nav.clients',
    area: 'operations',
    query: clientList,
    sort: { key: 'id', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id', link: to('/clients') },
      { key: 'name', label: 'col.name', link: to('/clients') },
      { key: 'status', label: 'col.status', kind: 'status' },
      { key: 'clientType', label: 'col.clientType' },
      { key: 'balance', label: 'col.balance', kind: 'money', currency: 'currency' },
      { key: 'currency', label: 'col.currency', hidden: true },
      { key: 'language', label: 'col.language', hidden: true },
      { key: 'createdAt', label: 'col.createdAt', kind: 'date' },
    ],
    filters: [
      { key: 'status', label: 'col.status', kind: 'enum', options: clientStatuses },
      { key: 'name', label: 'col.name', kind: 'text' },
      { key: 'from', label: 'list.createdFrom', filter: 'createdFrom', kind: 'from' },
      { key: 'to', label: 'list.createdTo', filter: 'createdTo', kind: 'to' },
    ],
  },
  {
    name: 'payments',
    path: '/payments',
    title: 'nav.payments',
    area: 'finance',
    query: paymentList,
    sort: { key: 'id', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id' },
      { key: 'number', label: 'col.number' },
      { key: 'type', label: 'col.type', kind: 'status' },
      { key: 'status', label: 'col.status', kind: 'status' },
      { key: 'client', label: 'col.client', column: 'clientName', link: to('/clients', 'clientId') },
      { key: 'clientId', label: 'col.clientId', hidden: true },
      { key: 'orderId', label: 'col.order', link: to('/orders', 'orderId') },
      { key: 'amount', label: 'col.amount', kind: 'money', currency: 'currency' },
      { key: 'currency', label: 'col.currency', hidden: true },
      { key: 'method', label: 'col.method', hidden: true },
      { key: 'createdAt', label: 'col.createdAt', kind: 'date' },
    ],
    filters: [
      { key: 'status', label: 'col.status', kind: 'enum', options: paymentStatuses },
      { key: 'type', label: 'col.type', kind: 'enum', options: paymentTypes },
      { key: 'client', label: 'col.client', filter: 'clientName', kind: 'text' },
      { key: 'from', label: 'list.createdFrom', filter: 'createdFrom', kind: 'from' },
      { key: 'to', label: 'list.createdTo', filter: 'createdTo', kind: 'to' },
    ],
  },
  {
    name: 'tasks',
    path: '/tasks',
    title: 'nav.tasks',
    area: 'tasks',
    query: taskTable,
    sort: { key: 'id', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id', link: to('/tasks') },
      { key: 'name', label: 'col.name', link: to('/tasks') },
      { key: 'status', label: 'col.status', kind: 'status' },
      { key: 'plugin', label: 'col.plugin' },
      { key: 'operation', label: 'col.operation' },
      { key: 'scenario', label: 'col.scenario', column: 'scenarioId', link: to('/scenarios', 'scenario') },
      { key: 'errorMessage', label: 'col.error' },
      { key: 'rounds', label: 'col.rounds', hidden: true },
      { key: 'orderId', label: 'col.order', hidden: true, link: to('/orders', 'orderId') },
      { key: 'createdAt', label: 'col.createdAt', kind: 'date' },
    ],
    filters: [
      { key: 'status', label: 'col.status', kind: 'enum', options: taskStatuses },
      { key: 'plugin', label: 'col.plugin', filter: 'pluginContains', kind: 'text' },
      { key: 'operation', label: 'col.operation', filter: 'operationContains', kind: 'text' },
      { key: 'from', label: 'list.createdFrom', filter: 'createdFrom', kind: 'from' },
      { key: 'to', label: 'list.createdTo', filter: 'createdTo', kind: 'to' },
    ],
  },
  {
    name: 'manual-operations',
    path: '/manual-operations',
    title: 'nav.manualOperations',
    area: 'operations',
    query: manualOperationList,
    sort: { key: 'id', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id', link: to('/manual-operations') },
      { key: 'type', label: 'col.type', kind: 'status', link: to('/manual-operations') },
      { key: 'status', label: 'col.status', kind: 'status' },
      { key: 'description', label: 'col.description' },
      { key: 'client', label: 'col.client', column: 'clientName', link: to('/clients', 'clientId') },
      { key: 'clientId', label: 'col.clientId', hidden: true },
      { key: 'scenario', label: 'col.scenario', column: 'scenarioId', hidden: true, link: to('/scenarios', 'scenario') },
      { key: 'comment', label: 'col.comment', hidden: true },
      { key: 'createdAt', label: 'col.createdAt', kind: 'date' },
    ],
    filters: [
      { key: 'status', label: 'col.status', kind: 'enum', options: ['pending', 'approved', 'rejected'] },
      { key: 'type', label: 'col.type', kind: 'enum', options: manualOperationTypes },
      { key: 'client', label: 'col.client', filter: 'clientName', kind: 'text' },
      { key: 'from', label: 'list.createdFrom', filter: 'createdFrom', kind: 'from' },
      { key: 'to', label: 'list.createdTo', filter: 'createdTo', kind: 'to' },
    ],
    actions: (r, { session, t, back }) =>
      canDecideManualOperation(String(r.status)) && mayWrite(session, 'operations') ? (
        <>
          <PostButton session={session} action={`/manual-operations/${String(r.__id)}/approve`} label={t('action.approve')} fields={{ back }} class="approve" />{' '}
          <PostButton session={session} action={`/manual-operations/${String(r.__id)}/reject`} label={t('action.reject')} fields={{ back }} class="reject" confirm={t('action.confirmReject')} />
        </>
      ) : null,
  },
  {
    name: 'scenarios',
    path: '/scenarios',
    title: 'nav.scenarios',
    area: 'scenarios',
    query: scenarioList,
    sort: { key: 'startedAt', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id', link: to('/scenarios') },
      { key: 'type', label: 'col.type' },
      { key: 'status', label: 'col.status', kind: 'status' },
      { key: 'subject', label: 'col.subject' },
      { key: 'currentStep', label: 'col.currentStep', column: 'currentStepLabel' },
      { key: 'error', label: 'col.error' },
      { key: 'startedAt', label: 'col.startedAt', kind: 'date' },
      { key: 'durationMs', label: 'col.durationMs', hidden: true },
    ],
    filters: [
      { key: 'status', label: 'col.status', kind: 'enum', options: scenarioStatuses },
      { key: 'type', label: 'col.type', filter: 'typeContains', kind: 'text' },
      { key: 'subject', label: 'col.subject', filter: 'subjectIdContains', kind: 'text' },
      { key: 'from', label: 'list.startedFrom', filter: 'startedFrom', kind: 'from' },
      { key: 'to', label: 'list.startedTo', filter: 'startedTo', kind: 'to' },
    ],
  },
  {
    name: 'notifications',
    path: '/notifications',
    title: 'nav.notifications',
    area: 'operations',
    query: notificationList,
    sort: { key: 'id', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id' },
      { key: 'event', label: 'col.event', kind: 'code' },
      { key: 'channel', label: 'col.channel', kind: 'status' },
      { key: 'status', label: 'col.status', kind: 'status' },
      { key: 'recipient', label: 'col.recipient' },
      { key: 'client', label: 'col.client', column: 'clientName', link: to('/clients', 'clientId') },
      { key: 'clientId', label: 'col.clientId', hidden: true },
      { key: 'summary', label: 'col.summary', hidden: true },
      { key: 'attempts', label: 'col.attempts' },
      { key: 'lastError', label: 'col.error', hidden: true },
      { key: 'createdAt', label: 'col.createdAt', kind: 'date' },
    ],
    filters: [
      { key: 'status', label: 'col.status', kind: 'enum', options: notificationStatuses },
      { key: 'channel', label: 'col.channel', kind: 'enum', options: ['email', 'sms', 'panel'] },
      { key: 'event', label: 'col.event', filter: 'eventContains', kind: 'text' },
      { key: 'from', label: 'list.createdFrom', filter: 'createdFrom', kind: 'from' },
      { key: 'to', label: 'list.createdTo', filter: 'createdTo', kind: 'to' },
    ],
  },
  {
    name: 'event-log',
    path: '/event-log',
    title: 'nav.eventLog',
    area: 'staff',
    query: eventLogList,
    sort: { key: 'id', dir: 'desc' },
    columns: [
      { key: 'id', label: 'col.id' },
      { key: 'createdAt', label: 'col.createdAt', kind: 'date' },
      { key: 'entity', label: 'col.subject' },
      { key: 'action', label: 'col.action', kind: 'code' },
      { key: 'actor', label: 'col.actor' },
      { key: 'reason', label: 'col.reason' },
      { key: 'changes', label: 'col.changes', hidden: true },
    ],
    filters: [
      { key: 'kind', label: 'col.subjectKind', filter: 'entityKind', kind: 'text' },
      { key: 'entity', label: 'col.subjectId', filter: 'entityId', kind: 'text' },
      { key: 'action', label: 'col.action', kind: 'text' },
      { key: 'from', label: 'list.createdFrom', filter: 'createdFrom', kind: 'from' },
      { key: 'to', label: 'list.createdTo', filter: 'createdTo', kind: 'to' },
    ],
  },
];

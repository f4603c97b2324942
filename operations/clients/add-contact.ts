import { oneRow, type Db } from '../../db/client';

export interface ContactInput {
  name: string;
  email?: string | undefined;
  phone?: string | undefined;
  language?: 'en' | 'ru' | undefined;
  role: 'owner' | 'technical' | 'financial' | 'other';
}

export interface Contact {
  id: number;
  name: string;
  email: string | null;
  phone: string | null;
  language: string | null;
  role: string;
}

/** Adds a contact person to a client (the client must exist). Returns the contact. */
export async function addContact(db: Db, clientId: number, contact: ContactInput): Promise<Contact> {
  return oneRow(db<Contact[]>`
    insert into client_contacts (client_id, name, email, phone, language, role)
    values (${clientId}, ${contact.name}, ${contact.email ?? null}, ${contact.phone ?? null}, ${contact.language ?? null}, ${contact.role})
    returning id, name, email, phone, language, role`);
}

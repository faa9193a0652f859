export namespace app {
	
	export interface CompanyView {
	    id: string;
	    name: string;
	    values: Record<string, any>;
	    score: number;
	    contacts: number;
	    dateAdded: string;
	    dateModified: string;
	    deleted: boolean;
	}
	export interface CompanyPage {
	    rows: CompanyView[];
	    total: number;
	    offset: number;
	}
	export interface CompanyQuery {
	    search: string;
	    sort: string;
	    desc: boolean;
	    offset: number;
	    limit: number;
	    deleted: boolean;
	}
	
	export interface ContactInput {
	    values: Record<string, string>;
	    tags: string[];
	}
	export interface ContactRow {
	    id: string;
	    name: string;
	    anonymous: boolean;
	    values: Record<string, any>;
	    tags: string[];
	    points: number;
	    dateAdded: string;
	    lastActive: string;
	    deletedAt: string;
	}
	export interface ContactPage {
	    rows: ContactRow[];
	    total: number;
	    offset: number;
	}
	export interface ContactQuery {
	    search: string;
	    sort: string;
	    desc: boolean;
	    offset: number;
	    limit: number;
	    columns: string[];
	    deleted: boolean;
	    companyId: string;
	}
	
	export interface NoteView {
	    id: string;
	    type: string;
	    text: string;
	    at: string;
	}
	export interface DNCView {
	    channel: string;
	    reason: string;
	    comments: string;
	    dateAdded: string;
	}
	export interface ContactView {
	    id: string;
	    name: string;
	    anonymous: boolean;
	    values: Record<string, any>;
	    tags: string[];
	    points: number;
	    dateAdded: string;
	    lastActive: string;
	    deletedAt: string;
	    stageId: string;
	    ownerId: string;
	    dateModified: string;
	    dateIdentified: string;
	    deleted: boolean;
	    companies: contacts.CompanyLink[];
	    dnc: DNCView[];
	    notes: NoteView[];
	}
	
	export interface EmailQuery {
	    search: string;
	    kind: string;
	    deleted: boolean;
	}
	export interface EmailSettings {
	    smtp: sending.SMTPConfig;
	    password: string;
	    hasPassword: boolean;
	    defaultFromName: string;
	    defaultFrom: string;
	    trackerUrl: string;
	    signature: string;
	    frequencyNumber: number;
	    frequencyTime: string;
	}
	export interface EmailView {
	    id: string;
	    name: string;
	    kind: string;
	    subject: string;
	    preheader: string;
	    fromName: string;
	    fromAddress: string;
	    replyTo: string;
	    bcc: string;
	    utmTags: Record<string, string>;
	    headers: Record<string, string>;
	    html: string;
	    source: string;
	    plainText: string;
	    plainTextAuto: boolean;
	    category: string;
	    language: string;
	    translationParentId: string;
	    variantParentId: string;
	    variantWeight: number;
	    winnerCriteria: string;
	    winnerAfterHours: number;
	    segments: string[];
	    excludedSegments: string[];
	    attachments: emails.Attachment[];
	    publishUp: string;
	    publishDown: string;
	    published: boolean;
	    scheduled: boolean;
	    revision: number;
	    dateAdded: string;
	    dateModified: string;
	    deleted: boolean;
	    sent: number;
	    read: number;
	    pending: number;
	}
	export interface EventView {
	    id: string;
	    seq: number;
	    type: string;
	    at: string;
	    objectId: string;
	    objectName: string;
	    url: string;
	    title: string;
	    referrer: string;
	    source: string;
	    data: Record<string, any>;
	}
	
	export interface Preferences {
	    theme: string;
	    language: string;
	    gridColumns: string[];
	}
	export interface Preview {
	    subject: string;
	    html: string;
	    text: string;
	    issues: emails.Issue[];
	}
	export interface Selection {
	    ids: string[];
	    all: boolean;
	    search: string;
	}
	export interface SendResult {
	    queued: number;
	    noAddress: number;
	    pending: number;
	    jobId: string;
	}
	export interface SystemInfo {
	    version: string;
	    mode: string;
	    dataDir: string;
	    dbPath: string;
	    dbSize: number;
	    schema: number;
	    contacts: number;
	    companies: number;
	}
	export interface TimelinePage {
	    events: EventView[];
	    next: number;
	}

}

export namespace contacts {
	
	export interface CompanyLink {
	    companyId: string;
	    name: string;
	    primary: boolean;
	}
	export interface TagCount {
	    name: string;
	    contacts: number;
	}

}

export namespace emails {
	
	export interface Attachment {
	    name: string;
	    path: string;
	    contentType?: string;
	}
	export interface Counts {
	    queued: number;
	    pending: number;
	    sent: number;
	    failed: number;
	    bounced: number;
	    skipped: number;
	    skippedDnc: number;
	    invalid: number;
	    read: number;
	    readTotal: number;
	    clicked: number;
	    clickedTotal: number;
	    unsubscribed: number;
	    readRate: number;
	    clickRate: number;
	}
	export interface DayStats {
	    day: string;
	    sent: number;
	    read: number;
	    clicked: number;
	    failed: number;
	}
	export interface DeviceStats {
	    device: string;
	    read: number;
	    clicked: number;
	}
	export interface Email {
	    id: string;
	    name: string;
	    kind: string;
	    subject: string;
	    preheader: string;
	    fromName: string;
	    fromAddress: string;
	    replyTo: string;
	    bcc: string;
	    utmTags: Record<string, string>;
	    headers: Record<string, string>;
	    html: string;
	    source: string;
	    plainText: string;
	    plainTextAuto: boolean;
	    category: string;
	    language: string;
	    translationParentId: string;
	    variantParentId: string;
	    variantWeight: number;
	    winnerCriteria: string;
	    winnerAfterHours: number;
	    segments: string[];
	    excludedSegments: string[];
	    attachments: Attachment[];
	    // Go type: time
	    publishUp?: any;
	    // Go type: time
	    publishDown?: any;
	    published: boolean;
	    scheduled: boolean;
	    revision: number;
	    // Go type: time
	    dateAdded: any;
	    // Go type: time
	    dateModified: any;
	    deleted: boolean;
	}
	export interface Issue {
	    code: string;
	    severity: string;
	    detail: string;
	}
	export interface LinkStats {
	    url: string;
	    clicks: number;
	    unique: number;
	}
	export interface VariantStats {
	    id: string;
	    name: string;
	    kind: string;
	    weight: number;
	    counts: Counts;
	    winner: boolean;
	}
	export interface Stats {
	    emailId: string;
	    totals: Counts;
	    variants: VariantStats[];
	    byDay: DayStats[];
	    byDevice: DeviceStats[];
	    links: LinkStats[];
	    winnerDecided: boolean;
	}
	
	export interface Version {
	    revision: number;
	    // Go type: time
	    dateAdded: any;
	    email: Email;
	}

}

export namespace fields {
	
	export interface CountryInfo {
	    code: string;
	    name: string;
	    nameFr: string;
	}
	export interface Option {
	    label: string;
	    value: string;
	}
	export interface Field {
	    id: string;
	    object: string;
	    alias: string;
	    label: string;
	    type: string;
	    group: string;
	    position: number;
	    defaultValue: string;
	    required: boolean;
	    options: Option[];
	    properties: Record<string, any>;
	    listable: boolean;
	    publiclyUpdatable: boolean;
	    uniqueIdentifier: boolean;
	    fixed: boolean;
	    system: boolean;
	    labelFr?: string;
	}
	export interface Input {
	    object: string;
	    alias: string;
	    label: string;
	    type: string;
	    group: string;
	    defaultValue: string;
	    required: boolean;
	    options: Option[];
	    properties: Record<string, any>;
	    listable: boolean;
	    publiclyUpdatable: boolean;
	    uniqueIdentifier: boolean;
	}

}

export namespace jobs {
	
	export interface Status {
	    id: string;
	    kind: string;
	    title: string;
	    state: string;
	    done: number;
	    total: number;
	    rate: number;
	    message: string;
	    result: string;
	    startedAt: string;
	    error: string;
	}

}

export namespace sending {
	
	export interface SMTPConfig {
	    host: string;
	    port: number;
	    tls: string;
	    auth: string;
	    username: string;
	    connections: number;
	    perSecond: number;
	    perHour: number;
	    helo: string;
	    insecureSkipVerify: boolean;
	}

}


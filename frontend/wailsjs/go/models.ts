export namespace app {
	
	export interface CampaignQuery {
	    search: string;
	    limit: number;
	    offset: number;
	    trash: boolean;
	}
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
	
	export interface FrequencyRuleView {
	    contactId: string;
	    number: number;
	    time: string;
	    pauseFrom: string;
	    pauseTo: string;
	}
	export interface ContactEmailPrefs {
	    categories: emails.CategorySub[];
	    frequency: FrequencyRuleView;
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
	export interface FiredTriggerView {
	    id: string;
	    name: string;
	    color: string;
	}
	export interface GroupScoreView {
	    groupId: string;
	    groupName: string;
	    score: number;
	}
	export interface ContactPointsView {
	    points: number;
	    stageId: string;
	    stageName: string;
	    groups: GroupScoreView[];
	    triggers: FiredTriggerView[];
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
	
	export interface DWCVariant {
	    id: string;
	    name: string;
	    filters: string;
	    content: string;
	}
	export interface DWCView {
	    id: string;
	    name: string;
	    slot: string;
	    defaultContent: string;
	    published: boolean;
	    variants: DWCVariant[];
	    dateModified: string;
	    deleted: boolean;
	}
	export interface ErrorView {
	    code: string;
	    key: string;
	    params?: Record<string, any>;
	    fields?: Record<string, string>;
	    message: string;
	    ref?: string;
	}
	export interface DashColumn {
	    key: string;
	    kind: string;
	}
	export interface DashTable {
	    columns: DashColumn[];
	    rows: any[][];
	}
	export interface DashResult {
	    id: string;
	    type: string;
	    chart: string;
	    table?: DashTable;
	    empty: string;
	    error?: ErrorView;
	    ms: number;
	}
	export interface DashBoard {
	    from: string;
	    to: string;
	    results: DashResult[];
	    pending: number;
	    ms: number;
	}
	
	export interface DashWidget {
	    id: string;
	    type: string;
	    w: number;
	    h: number;
	}
	export interface DashLayout {
	    widgets: DashWidget[];
	    default: boolean;
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
	    unsubscribeText: string;
	    webviewText: string;
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
	    abSample: number;
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
	export interface Embed {
	    trackerUrl: string;
	    configured: boolean;
	    script: string;
	    iframe: string;
	    html: string;
	    pageUrl: string;
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
	export interface ExportRequest {
	    format: string;
	    fields: string[];
	    search: string;
	    ids: string[];
	}
	export interface FindHit {
	    kind: string;
	    id: string;
	    name: string;
	    deletedAt: string;
	}
	
	export interface FocusStats {
	    views: number;
	    uniqueViews: number;
	    conversions: number;
	    uniqueConversions: number;
	    rate: number;
	    days: string[];
	    viewsByDay: number[];
	    conversionsByDay: number[];
	    chart: string;
	}
	export interface FocusView {
	    id: string;
	    name: string;
	    style: string;
	    position: string;
	    contentType: string;
	    headline: string;
	    body: string;
	    formId: string;
	    linkUrl: string;
	    linkText: string;
	    colors: focus.Colors;
	    trigger: string;
	    triggerValue: number;
	    frequency: string;
	    maxPerDay: number;
	    stopAfterClose: boolean;
	    urlInclude: string;
	    urlExclude: string;
	    published: boolean;
	    dateModified: string;
	    deleted: boolean;
	}
	export interface FormMeta {
	    fieldTypes: string[];
	    actionTypes: string[];
	}
	
	
	export interface ImportRequest {
	    path: string;
	    options: imports.Options;
	}
	export interface LocalTracker {
	    running: boolean;
	    url: string;
	    error: string;
	}
	
	export interface PageView {
	    id: string;
	    title: string;
	    alias: string;
	    customPath: string;
	    mode: string;
	    html: string;
	    source: string;
	    seoTitle: string;
	    metaDescription: string;
	    socialImage: string;
	    language: string;
	    translationParentId: string;
	    variantParentId: string;
	    variantWeight: number;
	    preferenceCenter: boolean;
	    noIndex: boolean;
	    published: boolean;
	    dateAdded: string;
	    dateModified: string;
	    deleted: boolean;
	    hits: number;
	    uniqueHits: number;
	    conversions: number;
	    abCriteria: string;
	    abHours: number;
	    abWinnerId: string;
	    abDecidedAt: string;
	}
	export interface PointProps {
	    emails: string[];
	    pages: string[];
	    forms: string[];
	    assets: string[];
	    url: string;
	    pageHits: number;
	    firstTime: boolean;
	    returnsWithin: number;
	    returnsAfter: number;
	    everyNth: number;
	}
	export interface PointActionView {
	    id: string;
	    name: string;
	    description: string;
	    type: string;
	    delta: number;
	    props: PointProps;
	    repeatable: boolean;
	    groupId: string;
	    groupName: string;
	    published: boolean;
	    publishUp: string;
	    publishDown: string;
	    dateModified: string;
	    deleted: boolean;
	    contacts: number;
	}
	export interface PointGroupView {
	    id: string;
	    name: string;
	    description: string;
	    published: boolean;
	    deleted: boolean;
	    contacts: number;
	}
	
	export interface PointTriggerEventView {
	    id: string;
	    type: string;
	    email: string;
	    addTags: string[];
	    removeTags: string[];
	    addSegments: string[];
	    removeSegments: string[];
	    stage: string;
	    addCampaigns: string[];
	    removeCampaigns: string[];
	    useOwner: boolean;
	    users: string[];
	    to: string[];
	}
	export interface PointTriggerView {
	    id: string;
	    name: string;
	    description: string;
	    points: number;
	    groupId: string;
	    groupName: string;
	    color: string;
	    triggerExisting: boolean;
	    events: PointTriggerEventView[];
	    published: boolean;
	    publishUp: string;
	    publishDown: string;
	    dateModified: string;
	    deleted: boolean;
	    fired: number;
	    jobId: string;
	}
	export interface PointUserView {
	    id: string;
	    name: string;
	    email: string;
	}
	export interface Preferences {
	    theme: string;
	    language: string;
	    gridColumns: string[];
	    gridWidths: Record<string, number>;
	}
	export interface Preview {
	    subject: string;
	    html: string;
	    text: string;
	    issues: emails.Issue[];
	}
	export interface ReportDef {
	    source: string;
	    columns: string[];
	    filters: reports.Filter[];
	    contactFilters: string;
	    groupBy: string[];
	    aggregates: reports.Agg[];
	    orderBy: reports.Order[];
	    summarySort: string;
	    summaryLimit: number;
	    dateFrom: string;
	    dateTo: string;
	    graph: string;
	}
	export interface ReportExportRequest {
	    reportId: string;
	    name: string;
	    definition?: ReportDef;
	    format: string;
	    dateFrom: string;
	    dateTo: string;
	    lang: string;
	}
	export interface ReportOptions {
	    sources: reports.Source[];
	    ops: Record<string, Array<string>>;
	    aggregates: string[];
	    graphs: string[];
	    buckets: string[];
	}
	export interface ReportPreview {
	    columns: reports.Column[];
	    rows: any[][];
	    total: number;
	    summaryColumns: reports.Column[];
	    summaryRows: any[][];
	    summaryTotal: number;
	    chart: string;
	    ms: number;
	}
	export interface ReportView {
	    id: string;
	    name: string;
	    description: string;
	    definition: ReportDef;
	    schedule: reports.Schedule;
	    dateAdded: string;
	    dateModified: string;
	    deleted: boolean;
	    lastRunAt: string;
	    lastStatus: string;
	    lastError: string;
	    lastPath: string;
	    nextRunAt: string;
	}
	export interface SegmentBuild {
	    segmentId: string;
	    added: number;
	    removed: number;
	    members: number;
	    ms: number;
	    skipped: string;
	}
	export interface SegmentOperator {
	    code: string;
	    label: string;
	    labelFr: string;
	}
	export interface SegmentField {
	    alias: string;
	    object: string;
	    group: string;
	    label: string;
	    labelFr: string;
	    type: string;
	    fieldType: string;
	    operators: string[];
	    options: any[];
	}
	export interface SegmentCatalogue {
	    fields: SegmentField[];
	    operators: SegmentOperator[];
	    dateKeywords: string[];
	}
	
	export interface SegmentInput {
	    id: string;
	    name: string;
	    alias: string;
	    description: string;
	    filters: string;
	    published: boolean;
	}
	export interface SegmentMember {
	    id: string;
	    email: string;
	    name: string;
	    dateAdded: string;
	    manuallyAdded: boolean;
	}
	export interface SegmentMembersPage {
	    rows: SegmentMember[];
	    total: number;
	}
	
	export interface SegmentPreview {
	    count: number;
	    sample: SegmentMember[];
	    ms: number;
	}
	export interface SegmentVersion {
	    version: number;
	    name: string;
	    filters: string;
	    published: boolean;
	    at: string;
	}
	export interface SegmentView {
	    id: string;
	    name: string;
	    alias: string;
	    description: string;
	    filters: string;
	    published: boolean;
	    static: boolean;
	    version: number;
	    dateAdded: string;
	    dateModified: string;
	    deleted: boolean;
	    members: number;
	    lastBuiltAt: string;
	    lastBuildMs: number;
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
	export interface StageView {
	    id: string;
	    name: string;
	    description: string;
	    weight: number;
	    published: boolean;
	    deleted: boolean;
	    contacts: number;
	}
	export interface SyncOverview {
	    status: teamsync.Status;
	    running: boolean;
	    feed: teamsync.FeedItem[];
	}
	export interface SyncSettings {
	    urls: string[];
	    user: string;
	    password: string;
	    hasPassword: boolean;
	    caFile: string;
	    insecure: boolean;
	    enabled: boolean;
	    pollSeconds: number;
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
	export interface TrackingHit {
	    seq: number;
	    id: string;
	    kind: string;
	    at: number;
	    contactId: string;
	    deviceId: string;
	    url: string;
	    title: string;
	    referrer: string;
	    emailId: string;
	    formId: string;
	    bot: boolean;
	    data: Record<string, string>;
	}
	export interface TrackingSettings {
	    publicUrl: string;
	    allowedOrigins: string[];
	}
	export interface TrackingStatus {
	    settings: TrackingSettings;
	    snippet: string;
	    hits: number;
	    pending: number;
	    lastHitAt: number;
	    devices: number;
	    merges: number;
	    ingesting: boolean;
	    lastError: string;
	    local: LocalTracker;
	}

}

export namespace assets {
	
	export interface Asset {
	    id: string;
	    title: string;
	    slug: string;
	    category: string;
	    kind: string;
	    remoteUrl: string;
	    fileName: string;
	    mime: string;
	    size: number;
	    sha256: string;
	    gateFormId: string;
	    published: boolean;
	    dateAdded: number;
	    dateModified: number;
	    deleted: boolean;
	    downloads: number;
	    uniqueDownloads: number;
	}
	export interface Input {
	    id: string;
	    title: string;
	    slug: string;
	    category: string;
	    remoteUrl: string;
	    gateFormId: string;
	    published: boolean;
	}

}

export namespace campaigns {
	
	export interface Trigger {
	    mode: string;
	    interval: number;
	    unit: string;
	    date: string;
	    hour: string;
	    startHour: string;
	    endHour: string;
	    weekdays: number[];
	}
	export interface Event {
	    id: string;
	    name: string;
	    kind: string;
	    type: string;
	    parent?: string;
	    path: string;
	    trigger: Trigger;
	    props: Record<string, any>;
	    x: number;
	    y: number;
	}
	export interface Source {
	    id: string;
	    type: string;
	    ids: string[];
	    x: number;
	    y: number;
	}
	export interface Graph {
	    sources: Source[];
	    events: Event[];
	}
	export interface Campaign {
	    id: string;
	    name: string;
	    description: string;
	    category: string;
	    published: boolean;
	    allowRestart: boolean;
	    version: number;
	    graph: Graph;
	    updatedAt: string;
	    members: number;
	    deleted: boolean;
	}
	
	export interface Option {
	    value: string;
	    label: string;
	}
	export interface PropSpec {
	    name: string;
	    type: string;
	    required: boolean;
	    options?: Option[];
	}
	export interface EventSpec {
	    type: string;
	    kind: string;
	    group: string;
	    comingSoon: boolean;
	    props: PropSpec[];
	}
	
	export interface Input {
	    id: string;
	    name: string;
	    description: string;
	    category: string;
	    allowRestart: boolean;
	    graph: Graph;
	}
	
	export interface PathCounts {
	    yes: number;
	    no: number;
	    done: number;
	}
	export interface Problem {
	    eventId: string;
	    sourceId?: string;
	    key: string;
	    params?: Record<string, any>;
	    message: string;
	}
	
	export interface SimResult {
	    perEvent: Record<string, PathCounts>;
	    contacts: number;
	}
	
	
	export interface Version {
	    version: number;
	    publishedAt: string;
	    name: string;
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
	
	export interface Rate {
	    id: string;
	    sent: number;
	    read: number;
	    clicked: number;
	    rate: number;
	}
	export interface ABState {
	    criteria: string;
	    sample: number;
	    // Go type: time
	    startedAt?: any;
	    // Go type: time
	    decidesAt?: any;
	    // Go type: time
	    decidedAt?: any;
	    winnerId: string;
	    rates: Rate[];
	    held: number;
	}
	export interface Attachment {
	    name: string;
	    assetId?: string;
	    path?: string;
	    contentType?: string;
	}
	export interface CategorySub {
	    category: string;
	    subscribed: boolean;
	}
	export interface Counts {
	    queued: number;
	    pending: number;
	    sent: number;
	    failed: number;
	    bounced: number;
	    skipped: number;
	    skippedDnc: number;
	    skippedCategory: number;
	    invalid: number;
	    read: number;
	    readTotal: number;
	    clicked: number;
	    clickedTotal: number;
	    unsubscribed: number;
	    resentUncertain: number;
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
	export interface Issue {
	    code: string;
	    severity: string;
	    detail: string;
	    key: string;
	    params?: Record<string, string>;
	}
	export interface DryRun {
	    emailId: string;
	    recipients: number;
	    alreadySent: number;
	    noAddress: number;
	    dnc: number;
	    category: number;
	    pending: number;
	    issues: Issue[];
	    subject: string;
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
	    abSample: number;
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
	    ab?: ABState;
	}
	
	export interface Version {
	    revision: number;
	    // Go type: time
	    dateAdded: any;
	    email: Email;
	}

}

export namespace exports {
	
	export interface Result {
	    path: string;
	    format: string;
	    rows: number;
	    bytes: number;
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
	    labelFr: string;
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

export namespace focus {
	
	export interface Colors {
	    background?: string;
	    text?: string;
	    button?: string;
	    buttonText?: string;
	}
	export interface Public {
	    id: string;
	    style: string;
	    position: string;
	    trigger: string;
	    value: number;
	    html: string;
	    css: string;
	    form?: string;
	}

}

export namespace forms {
	
	export interface Action {
	    type: string;
	    add?: string[];
	    remove?: string[];
	    points?: number;
	    emailId?: string;
	    to?: string;
	    assetId?: string;
	    url?: string;
	    message?: string;
	    campaignId?: string;
	    dnc?: string;
	    channel?: string;
	    stageId?: string;
	}
	export interface Condition {
	    field: string;
	    values?: string[];
	}
	export interface Option {
	    value: string;
	    label: string;
	}
	export interface Field {
	    alias: string;
	    label: string;
	    type: string;
	    mapTo?: string;
	    required?: boolean;
	    pattern?: string;
	    errorMessage?: string;
	    placeholder?: string;
	    default?: string;
	    prefill?: boolean;
	    hideIfKnown?: boolean;
	    showIf?: Condition;
	    options?: Option[];
	    text?: string;
	    maxLength?: number;
	    accept?: string;
	    maxSizeKb?: number;
	}
	export interface Form {
	    id: string;
	    name: string;
	    description: string;
	    kind: string;
	    kiosk: boolean;
	    submitLabel: string;
	    postAction: string;
	    postValue: string;
	    minSeconds: number;
	    fields: Field[];
	    actions: Action[];
	    published: boolean;
	    dateAdded: number;
	    dateModified: number;
	    deleted: boolean;
	    results: number;
	}
	
	export interface StoredFile {
	    id: string;
	    field: string;
	    name: string;
	    mime: string;
	    size: number;
	}
	export interface Result {
	    id: string;
	    contactId: string;
	    contact: string;
	    at: number;
	    url: string;
	    ip: string;
	    values: Record<string, string>;
	    issues: string[];
	    files: StoredFile[];
	}
	export interface Results {
	    total: number;
	    rows: Result[];
	}

}

export namespace imports {
	
	export interface Analysis {
	    path: string;
	    fileName: string;
	    size: number;
	    delimiter: string;
	    encoding: string;
	    columns: string[];
	    preview: string[][];
	    mapping: string[];
	}
	export interface Options {
	    delimiter: string;
	    encoding: string;
	    mapping: string[];
	    tags: string[];
	    updateExisting: boolean;
	    dateOrder: string;
	    batchSize?: number;
	}
	export interface Problem {
	    label: string;
	    key: string;
	    value: string;
	}
	export interface Record {
	    id: string;
	    fileName: string;
	    path: string;
	    size: number;
	    status: string;
	    options: Options;
	    offset: number;
	    line: number;
	    inserted: number;
	    updated: number;
	    ignored: number;
	    failed: number;
	    startedAt: string;
	    finishedAt: string;
	    createdAt: string;
	    error: string;
	}
	export interface Rejection {
	    line: number;
	    reason: string;
	    raw: string;
	    problems?: Problem[];
	}
	export interface Target {
	    value: string;
	    label: string;
	    labelFr: string;
	    type: string;
	    group: string;
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
	    errorKey?: string;
	    errorParams?: Record<string, any>;
	}

}

export namespace pages {
	
	export interface Counter {
	    hits: number;
	    uniqueHits: number;
	    conversions: number;
	}
	export interface PrefSegment {
	    id: string;
	    name: string;
	    visible: boolean;
	    member: boolean;
	}
	export interface VariantStat {
	    id: string;
	    title: string;
	    language: string;
	    role: string;
	    weight: number;
	    counter: Counter;
	    rate: number;
	}

}

export namespace reports {
	
	export interface Agg {
	    fn: string;
	    column: string;
	}
	export interface Column {
	    id: string;
	    label: string;
	    type: string;
	}
	export interface ExportResult {
	    path: string;
	    format: string;
	    rows: number;
	    sheets: number;
	    bytes: number;
	}
	export interface Filter {
	    column: string;
	    op: string;
	    value: string;
	    glue: string;
	}
	export interface Order {
	    column: string;
	    desc: boolean;
	}
	export interface Schedule {
	    every: string;
	    weekday: number;
	    day: number;
	    hour: number;
	    format: string;
	    folder: string;
	    emails: string[];
	    lang: string;
	}
	export interface Source {
	    id: string;
	    label: string;
	    coming: boolean;
	    dateColumn: string;
	    contactFilters: boolean;
	    columns: Column[];
	    defaults: string[];
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

export namespace teamsync {
	
	export interface FeedItem {
	    table: string;
	    rowId: string;
	    cols: string[];
	    atMs: number;
	    label: string;
	}
	export interface Problem {
	    kind: string;
	    table: string;
	    rowId: string;
	    cols: string;
	    reason: string;
	    atMs: number;
	}
	export interface Status {
	    state: string;
	    siteId: string;
	    epoch: string;
	    pending: number;
	    rejected: number;
	    parked: number;
	    cursor: number;
	    serverSeq: number;
	    lastSyncMs: number;
	    lastError?: string;
	    clockSkewMs: number;
	    skewWarning: boolean;
	    needsUpgrade: boolean;
	    serverSchema: number;
	    localSchema: number;
	    progressDone: number;
	    progressTotal: number;
	}
	export interface TestResult {
	    ok: boolean;
	    nodes: number;
	    leader: string;
	    version: string;
	    skewMs: number;
	    message: string;
	    latencyMs: number;
	}

}

export namespace users {
	
	export interface User {
	    id: string;
	    name: string;
	    email: string;
	}

}


-- The schema of a database made by main at commit 2aad9b0 (knowledge tables by
-- knowledge.database.make_engine's create_all, the bot's by bot.schema.migrate to 0004),
-- dumped by pg_dump --schema-only (session SET lines left out). Kept verbatim so the upgrade tests start from what that release made.
CREATE TABLE public.embedding_cache (
    model_id character varying(100) NOT NULL,
    text_sha256 character varying(64) NOT NULL,
    vector bytea NOT NULL
);
CREATE TABLE public.handoff_outbox (
    id integer NOT NULL,
    request_id integer NOT NULL,
    kind character varying(32) NOT NULL,
    target character varying(32) NOT NULL,
    update_ts character varying(32),
    text text NOT NULL,
    blocks text,
    status character varying(16) NOT NULL,
    attempts integer NOT NULL,
    last_error text,
    next_attempt_at timestamp with time zone NOT NULL,
    claimed_by character varying(64),
    claimed_until timestamp with time zone,
    created_at timestamp with time zone NOT NULL,
    sent_at timestamp with time zone,
    sent_channel character varying(32),
    sent_ts character varying(32)
);
CREATE SEQUENCE public.handoff_outbox_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.handoff_outbox_id_seq OWNED BY public.handoff_outbox.id;
CREATE TABLE public.handoff_requests (
    id integer NOT NULL,
    reference character varying(32) NOT NULL,
    status character varying(16) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    requester character varying(32) NOT NULL,
    on_behalf_of character varying(32) NOT NULL,
    name character varying(200) NOT NULL,
    organization character varying(200) NOT NULL,
    email character varying(254) NOT NULL,
    phone character varying(40) NOT NULL,
    region character varying(200) NOT NULL,
    industry character varying(200) NOT NULL,
    interest character varying(16) NOT NULL,
    details text NOT NULL,
    source_permalink text NOT NULL,
    contact character varying(200) NOT NULL,
    contact_slack_user_id character varying(32) NOT NULL,
    notified_at timestamp with time zone,
    claimed_by character varying(32),
    claimed_at timestamp with time zone,
    resolved_by character varying(32),
    resolved_at timestamp with time zone
);
CREATE SEQUENCE public.handoff_requests_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.handoff_requests_id_seq OWNED BY public.handoff_requests.id;
CREATE TABLE public.ingest_web_pages (
    url text NOT NULL,
    doc_id character varying(40) NOT NULL,
    etag text,
    last_modified text,
    content_hash character varying(64) NOT NULL,
    basis text NOT NULL,
    sitemap text,
    fetched_at timestamp with time zone NOT NULL
);
CREATE TABLE public.kb_current (
    slot character varying(20) NOT NULL,
    version_id character varying(40) NOT NULL
);
CREATE TABLE public.kb_documents (
    version_id character varying(40) NOT NULL,
    doc_id character varying(40) NOT NULL,
    source text NOT NULL,
    title text NOT NULL,
    kind character varying(20) NOT NULL,
    url text,
    path text,
    date character varying(10),
    content_hash character varying(64) NOT NULL,
    chunk_count integer NOT NULL,
    fetched_at timestamp with time zone NOT NULL,
    origin character varying(20) NOT NULL
);
CREATE TABLE public.kb_refresh_runs (
    run_id character varying(32) NOT NULL,
    trigger character varying(20) NOT NULL,
    requested_by character varying(64) NOT NULL,
    scope character varying(20) NOT NULL,
    status character varying(20) NOT NULL,
    started_at timestamp with time zone NOT NULL,
    finished_at timestamp with time zone,
    summary text,
    error text
);
CREATE TABLE public.kb_sentences (
    version_id character varying(40) NOT NULL,
    item_id character varying(120) NOT NULL,
    doc_id character varying(40) NOT NULL,
    text text NOT NULL,
    meta text NOT NULL,
    vector bytea NOT NULL
);
CREATE TABLE public.kb_versions (
    version_id character varying(40) NOT NULL,
    created_at timestamp with time zone NOT NULL,
    status character varying(20) NOT NULL,
    embedding_model character varying(100) NOT NULL,
    document_count integer NOT NULL,
    chunk_count integer NOT NULL,
    error text
);
CREATE TABLE public.sectorbot_schema_version (
    version_num character varying(32) NOT NULL
);
CREATE TABLE public.slack_answer_feedback (
    id integer NOT NULL,
    turn_id character varying(32) NOT NULL,
    user_id character varying(32) NOT NULL,
    helpful boolean NOT NULL,
    channel_id character varying(32) NOT NULL,
    question text NOT NULL,
    answer text NOT NULL,
    sources text NOT NULL,
    created_at timestamp with time zone NOT NULL
);
CREATE SEQUENCE public.slack_answer_feedback_id_seq
    AS integer
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1;
ALTER SEQUENCE public.slack_answer_feedback_id_seq OWNED BY public.slack_answer_feedback.id;
CREATE TABLE public.slack_assistant_threads (
    channel_id character varying(32) NOT NULL,
    thread_ts character varying(32) NOT NULL,
    context text NOT NULL,
    updated_at timestamp with time zone NOT NULL
);
CREATE TABLE public.slack_conversation_turns (
    turn_id character varying(32) NOT NULL,
    channel_id character varying(32) NOT NULL,
    conversation character varying(64) NOT NULL,
    user_id character varying(32) NOT NULL,
    surface character varying(20) NOT NULL,
    text text NOT NULL,
    question text NOT NULL,
    answer text NOT NULL,
    sources text NOT NULL,
    confident boolean NOT NULL,
    intent character varying(20) NOT NULL,
    answer_ts character varying(32),
    created_at timestamp with time zone NOT NULL,
    declined_because character varying(20)
);
CREATE TABLE public.slack_processed_events (
    event_id character varying(64) NOT NULL,
    received_at timestamp with time zone NOT NULL
);
ALTER TABLE ONLY public.handoff_outbox ALTER COLUMN id SET DEFAULT nextval('public.handoff_outbox_id_seq'::regclass);
ALTER TABLE ONLY public.handoff_requests ALTER COLUMN id SET DEFAULT nextval('public.handoff_requests_id_seq'::regclass);
ALTER TABLE ONLY public.slack_answer_feedback ALTER COLUMN id SET DEFAULT nextval('public.slack_answer_feedback_id_seq'::regclass);
ALTER TABLE ONLY public.embedding_cache
    ADD CONSTRAINT embedding_cache_pkey PRIMARY KEY (model_id, text_sha256);
ALTER TABLE ONLY public.handoff_outbox
    ADD CONSTRAINT handoff_outbox_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.handoff_requests
    ADD CONSTRAINT handoff_requests_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.handoff_requests
    ADD CONSTRAINT handoff_requests_reference_key UNIQUE (reference);
ALTER TABLE ONLY public.ingest_web_pages
    ADD CONSTRAINT ingest_web_pages_pkey PRIMARY KEY (url);
ALTER TABLE ONLY public.kb_current
    ADD CONSTRAINT kb_current_pkey PRIMARY KEY (slot);
ALTER TABLE ONLY public.kb_documents
    ADD CONSTRAINT kb_documents_pkey PRIMARY KEY (version_id, doc_id);
ALTER TABLE ONLY public.kb_refresh_runs
    ADD CONSTRAINT kb_refresh_runs_pkey PRIMARY KEY (run_id);
ALTER TABLE ONLY public.kb_sentences
    ADD CONSTRAINT kb_sentences_pkey PRIMARY KEY (version_id, item_id);
ALTER TABLE ONLY public.kb_versions
    ADD CONSTRAINT kb_versions_pkey PRIMARY KEY (version_id);
ALTER TABLE ONLY public.sectorbot_schema_version
    ADD CONSTRAINT sectorbot_schema_version_pkc PRIMARY KEY (version_num);
ALTER TABLE ONLY public.slack_answer_feedback
    ADD CONSTRAINT slack_answer_feedback_pkey PRIMARY KEY (id);
ALTER TABLE ONLY public.slack_assistant_threads
    ADD CONSTRAINT slack_assistant_threads_pkey PRIMARY KEY (channel_id, thread_ts);
ALTER TABLE ONLY public.slack_conversation_turns
    ADD CONSTRAINT slack_conversation_turns_pkey PRIMARY KEY (turn_id);
ALTER TABLE ONLY public.slack_processed_events
    ADD CONSTRAINT slack_processed_events_pkey PRIMARY KEY (event_id);
ALTER TABLE ONLY public.slack_answer_feedback
    ADD CONSTRAINT uq_slack_feedback_turn_user UNIQUE (turn_id, user_id);
CREATE INDEX ix_handoff_outbox_due ON public.handoff_outbox USING btree (status, next_attempt_at);
CREATE INDEX ix_handoff_outbox_request_id ON public.handoff_outbox USING btree (request_id);
CREATE INDEX ix_handoff_requests_status ON public.handoff_requests USING btree (status);
CREATE INDEX ix_kb_sentences_document ON public.kb_sentences USING btree (version_id, doc_id);
CREATE INDEX ix_slack_processed_events_received_at ON public.slack_processed_events USING btree (received_at);
CREATE INDEX ix_slack_turns_conversation ON public.slack_conversation_turns USING btree (channel_id, conversation, created_at);
INSERT INTO public.sectorbot_schema_version (version_num) VALUES ('0004');

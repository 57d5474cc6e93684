-- The schema of a database made by main at commit 2aad9b0 (knowledge tables by
-- knowledge.database.make_engine's create_all, the bot's by bot.schema.migrate to 0004),
-- read back from its sqlite_master. Kept verbatim so the upgrade tests start from what that release made.
CREATE TABLE kb_refresh_runs (
	run_id VARCHAR(32) NOT NULL, 
	"trigger" VARCHAR(20) NOT NULL, 
	requested_by VARCHAR(64) NOT NULL, 
	scope VARCHAR(20) NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	started_at DATETIME NOT NULL, 
	finished_at DATETIME, 
	summary TEXT, 
	error TEXT, 
	PRIMARY KEY (run_id)
);
CREATE TABLE ingest_web_pages (
	url TEXT NOT NULL, 
	doc_id VARCHAR(40) NOT NULL, 
	etag TEXT, 
	last_modified TEXT, 
	content_hash VARCHAR(64) NOT NULL, 
	basis TEXT NOT NULL, 
	sitemap TEXT, 
	fetched_at DATETIME NOT NULL, 
	PRIMARY KEY (url)
);
CREATE TABLE embedding_cache (
	model_id VARCHAR(100) NOT NULL, 
	text_sha256 VARCHAR(64) NOT NULL, 
	vector BLOB NOT NULL, 
	PRIMARY KEY (model_id, text_sha256)
);
CREATE TABLE kb_versions (
	version_id VARCHAR(40) NOT NULL, 
	created_at DATETIME NOT NULL, 
	status VARCHAR(20) NOT NULL, 
	embedding_model VARCHAR(100) NOT NULL, 
	document_count INTEGER NOT NULL, 
	chunk_count INTEGER NOT NULL, 
	error TEXT, 
	PRIMARY KEY (version_id)
);
CREATE TABLE kb_current (
	slot VARCHAR(20) NOT NULL, 
	version_id VARCHAR(40) NOT NULL, 
	PRIMARY KEY (slot)
);
CREATE TABLE kb_documents (
	version_id VARCHAR(40) NOT NULL, 
	doc_id VARCHAR(40) NOT NULL, 
	source TEXT NOT NULL, 
	title TEXT NOT NULL, 
	kind VARCHAR(20) NOT NULL, 
	url TEXT, 
	path TEXT, 
	date VARCHAR(10), 
	content_hash VARCHAR(64) NOT NULL, 
	chunk_count INTEGER NOT NULL, 
	fetched_at DATETIME NOT NULL, 
	origin VARCHAR(20) NOT NULL, 
	PRIMARY KEY (version_id, doc_id)
);
CREATE TABLE kb_sentences (
	version_id VARCHAR(40) NOT NULL, 
	item_id VARCHAR(120) NOT NULL, 
	doc_id VARCHAR(40) NOT NULL, 
	text TEXT NOT NULL, 
	meta TEXT NOT NULL, 
	vector BLOB NOT NULL, 
	PRIMARY KEY (version_id, item_id)
);
CREATE INDEX ix_kb_sentences_document ON kb_sentences (version_id, doc_id);
CREATE TABLE sectorbot_schema_version (
	version_num VARCHAR(32) NOT NULL, 
	CONSTRAINT sectorbot_schema_version_pkc PRIMARY KEY (version_num)
);
CREATE TABLE slack_processed_events (
	event_id VARCHAR(64) NOT NULL, 
	received_at DATETIME NOT NULL, 
	PRIMARY KEY (event_id)
);
CREATE INDEX ix_slack_processed_events_received_at ON slack_processed_events (received_at);
CREATE TABLE slack_conversation_turns (
	turn_id VARCHAR(32) NOT NULL, 
	channel_id VARCHAR(32) NOT NULL, 
	conversation VARCHAR(64) NOT NULL, 
	user_id VARCHAR(32) NOT NULL, 
	surface VARCHAR(20) NOT NULL, 
	text TEXT NOT NULL, 
	question TEXT NOT NULL, 
	answer TEXT NOT NULL, 
	sources TEXT NOT NULL, 
	confident BOOLEAN NOT NULL, 
	intent VARCHAR(20) NOT NULL, 
	answer_ts VARCHAR(32), 
	created_at DATETIME NOT NULL, declined_because VARCHAR(20), 
	PRIMARY KEY (turn_id)
);
CREATE INDEX ix_slack_turns_conversation ON slack_conversation_turns (channel_id, conversation, created_at);
CREATE TABLE slack_answer_feedback (
	id INTEGER NOT NULL, 
	turn_id VARCHAR(32) NOT NULL, 
	user_id VARCHAR(32) NOT NULL, 
	helpful BOOLEAN NOT NULL, 
	channel_id VARCHAR(32) NOT NULL, 
	question TEXT NOT NULL, 
	answer TEXT NOT NULL, 
	sources TEXT NOT NULL, 
	created_at DATETIME NOT NULL, 
	PRIMARY KEY (id), 
	CONSTRAINT uq_slack_feedback_turn_user UNIQUE (turn_id, user_id)
);
CREATE TABLE slack_assistant_threads (
	channel_id VARCHAR(32) NOT NULL, 
	thread_ts VARCHAR(32) NOT NULL, 
	context TEXT NOT NULL, 
	updated_at DATETIME NOT NULL, 
	PRIMARY KEY (channel_id, thread_ts)
);
CREATE TABLE handoff_requests (
	id INTEGER NOT NULL, 
	reference VARCHAR(32) NOT NULL, 
	status VARCHAR(16) NOT NULL, 
	created_at DATETIME NOT NULL, 
	requester VARCHAR(32) NOT NULL, 
	on_behalf_of VARCHAR(32) NOT NULL, 
	name VARCHAR(200) NOT NULL, 
	organization VARCHAR(200) NOT NULL, 
	email VARCHAR(254) NOT NULL, 
	phone VARCHAR(40) NOT NULL, 
	region VARCHAR(200) NOT NULL, 
	industry VARCHAR(200) NOT NULL, 
	interest VARCHAR(16) NOT NULL, 
	details TEXT NOT NULL, 
	source_permalink TEXT NOT NULL, 
	contact VARCHAR(200) NOT NULL, 
	contact_slack_user_id VARCHAR(32) NOT NULL, 
	notified_at DATETIME, 
	claimed_by VARCHAR(32), 
	claimed_at DATETIME, 
	resolved_by VARCHAR(32), 
	resolved_at DATETIME, 
	PRIMARY KEY (id), 
	UNIQUE (reference)
);
CREATE INDEX ix_handoff_requests_status ON handoff_requests (status);
CREATE TABLE handoff_outbox (
	id INTEGER NOT NULL, 
	request_id INTEGER NOT NULL, 
	kind VARCHAR(32) NOT NULL, 
	target VARCHAR(32) NOT NULL, 
	update_ts VARCHAR(32), 
	text TEXT NOT NULL, 
	blocks TEXT, 
	status VARCHAR(16) NOT NULL, 
	attempts INTEGER NOT NULL, 
	last_error TEXT, 
	next_attempt_at DATETIME NOT NULL, 
	claimed_by VARCHAR(64), 
	claimed_until DATETIME, 
	created_at DATETIME NOT NULL, 
	sent_at DATETIME, 
	sent_channel VARCHAR(32), 
	sent_ts VARCHAR(32), 
	PRIMARY KEY (id)
);
CREATE INDEX ix_handoff_outbox_request_id ON handoff_outbox (request_id);
CREATE INDEX ix_handoff_outbox_due ON handoff_outbox (status, next_attempt_at);
INSERT INTO sectorbot_schema_version (version_num) VALUES ('0004');

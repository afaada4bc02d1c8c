-- Article vectors in pgvector with an HNSW index (cosine). Only the default model's 384
-- dimensions are indexed, as on SQLite; the bytes in `vectors` stay the truth.
CREATE EXTENSION IF NOT EXISTS vector;
ALTER TABLE vectors ADD COLUMN embedding vector(384);
CREATE INDEX vectors_embedding_hnsw ON vectors USING hnsw (embedding vector_cosine_ops)
    WHERE kind = 'article';

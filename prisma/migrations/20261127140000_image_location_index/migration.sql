-- Bounding-box filters on the browse grid and in search: without this a box with few matches scans
-- the whole collection.
CREATE INDEX images_collection_id_latitude_longitude_idx ON images (collection_id, latitude, longitude);

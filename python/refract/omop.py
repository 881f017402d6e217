"""OMOP CDM tables to refract's long format, with Spark SQL.

>>> from refract import omop                                           # doctest: +SKIP
>>> long_df = omop.long_format(spark)     # reads the views procedure_occurrence, measurement, observation

Which concept means what is data, not code: ``omop_concepts.csv`` beside this file (see
docs/spark.md), one row per concept and the long-format cell it gives:

- ``procedure`` concepts are events: a TACE session (``kind`` ``tace``) or an imaging
  study (``kind`` ``imaging``); ``attribute``/``value`` give a fixed attribute of it
  (``technique`` ``cTACE``, ``modality`` ``CT``), several rows for several attributes.
- ``measurement`` concepts of kind ``lab`` are laboratory values: the event gets
  ``test`` = ``value`` (``AFP``), its ``value`` from ``value_as_number`` and its ``unit``
  from the ``unit`` concepts (``unit_concept_id``); PIVKA-II in ng/mL and in mAU/mL stay
  two different assays, as everywhere in refract.
- ``measurement`` and ``observation`` concepts of kind ``imaging`` or ``status`` give one
  attribute each, from ``value_as_number`` (or, for observations, ``value_as_string``).

All the imaging rows of a person and date (the study procedure, its measurements and
observations) are one imaging event, as are the status observations of a person and
date; each TACE procedure and each laboratory measurement is an event of its own.
"""

from __future__ import annotations

from pathlib import Path

#: The shipped concept mapping.
CONCEPTS = Path(__file__).with_name("omop_concepts.csv")

#: A number as its shortest exact text (``40``, ``12.3``), as the long format writes it.
_NUMBER = "regexp_replace(CAST(CAST({0} AS DECIMAL(38, 12)) AS STRING), '\\\\.?0+$', '')"

#: OMOP CDM v5.4 tables (the views ``procedure_occurrence``, ``measurement``,
#: ``observation``) and the concept mapping (the view ``refract_omop_concepts``) to the
#: long format's columns.
LONG_FORMAT_SQL = f"""
WITH concepts AS (
  SELECT CAST(concept_id AS BIGINT) AS concept_id, domain, kind, attribute,
         COALESCE(value, '') AS value
  FROM refract_omop_concepts
),
procedures AS (
  SELECT CAST(p.person_id AS STRING) AS patient,
         CAST(p.procedure_date AS STRING) AS date,
         c.kind,
         CASE WHEN c.kind = 'imaging'
              THEN CONCAT('imaging-', CAST(p.procedure_date AS STRING))
              ELSE CONCAT('procedure-', CAST(p.procedure_occurrence_id AS STRING)) END AS event,
         c.attribute, c.value
  FROM procedure_occurrence p
  JOIN concepts c ON c.domain = 'procedure' AND c.concept_id = p.procedure_concept_id
),
labs AS (
  SELECT patient, date, 'lab' AS kind, event, attribute, value
  FROM (
    SELECT CAST(m.person_id AS STRING) AS patient,
           CAST(m.measurement_date AS STRING) AS date,
           CONCAT('measurement-', CAST(m.measurement_id AS STRING)) AS event,
           c.value AS test,
           {_NUMBER.format('m.value_as_number')} AS number,
           COALESCE(u.value, m.unit_source_value, '') AS unit
    FROM measurement m
    JOIN concepts c ON c.domain = 'measurement' AND c.kind = 'lab'
                   AND c.concept_id = m.measurement_concept_id
    LEFT JOIN concepts u ON u.domain = 'unit' AND u.concept_id = m.unit_concept_id
  )
  LATERAL VIEW stack(3, 'test', test, 'value', number, 'unit', unit) cells AS attribute, value
),
findings AS (
  SELECT CAST(m.person_id AS STRING) AS patient,
         CAST(m.measurement_date AS STRING) AS date,
         c.kind, c.attribute,
         {_NUMBER.format('m.value_as_number')} AS value
  FROM measurement m
  JOIN concepts c ON c.domain = 'measurement' AND c.kind <> 'lab'
                 AND c.concept_id = m.measurement_concept_id
  UNION ALL
  SELECT CAST(o.person_id AS STRING) AS patient,
         CAST(o.observation_date AS STRING) AS date,
         c.kind, c.attribute,
         COALESCE({_NUMBER.format('o.value_as_number')}, o.value_as_string, '') AS value
  FROM observation o
  JOIN concepts c ON c.domain = 'observation' AND c.concept_id = o.observation_concept_id
)
SELECT patient, date, '' AS time, event, kind, attribute, value FROM procedures
UNION ALL
SELECT patient, date, '' AS time, event, kind, attribute, value FROM labs
UNION ALL
SELECT patient, date, '' AS time, CONCAT(kind, '-', date) AS event, kind, attribute, value
FROM findings
"""


def concepts(spark, path=None):
    """The concept mapping as a Spark DataFrame (the shipped one unless ``path``)."""
    from pyspark.sql.types import LongType, StringType, StructField, StructType

    schema = StructType(
        [StructField("concept_id", LongType())]
        + [StructField(n, StringType()) for n in ("domain", "kind", "attribute", "value", "name")]
    )
    return spark.read.csv(str(path or CONCEPTS), header=True, schema=schema)


def long_format(spark, mapping=None):
    """The long format from the views ``procedure_occurrence``, ``measurement`` and
    ``observation`` (register them first, e.g. ``df.createOrReplaceTempView(...)``), with
    ``mapping`` (a DataFrame like :func:`concepts`; the shipped mapping by default)."""
    (mapping if mapping is not None else concepts(spark)).createOrReplaceTempView(
        "refract_omop_concepts"
    )
    return spark.sql(LONG_FORMAT_SQL)

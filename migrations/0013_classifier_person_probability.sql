-- The classifier's six person-needed types together, on the main text: what escalates a ticket
-- (REQUEST_TYPE_PERSON_PROBABILITY) or holds a how_to draft for review (REQUEST_TYPE_HOLD_PROBABILITY,
-- reason type_near_person). Stored so a reviewer and an audit can see why; null on older decisions.
ALTER TABLE `decisions` ADD `classifier_person_probability` real;

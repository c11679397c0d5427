-- The department database of the compose demo: the PSB household-registration table that
-- examples/cdc/psb-population-postgres.yaml maps to the population resource 10101-000001.
CREATE TABLE public.resident (
  id_number        varchar(18) PRIMARY KEY,
  full_name        varchar(64) NOT NULL,
  mobile_phone     varchar(20),
  gender_code      varchar(1),
  birth_date       date,
  household_address varchar(256),
  division_code    varchar(12),
  last_changed     timestamp NOT NULL DEFAULT now(),
  operator_id      varchar(32),
  internal_remark  text
);
INSERT INTO public.resident (id_number, full_name, mobile_phone, gender_code, birth_date, household_address, division_code)
VALUES ('510104199001011234', '张三', '13800000000', '1', '1990-01-01', '成都市锦江区', '510104');

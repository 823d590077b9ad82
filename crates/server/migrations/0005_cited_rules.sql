-- The cited fee rules, province codes and seed 002's feedback dimensions. Portable like 0001–0004;
-- the CHECK constraints of the fee columns are widened per backend in 0006.

-- 试点学生: listed in the school's 1+X pilot, whose exams the school funds where a rule says so.
ALTER TABLE students ADD COLUMN pilot BIGINT NOT NULL DEFAULT 0 CHECK (pilot IN (0, 1));

-- The fee policy (its id in the fee rules) that decided a registration's fee; NULL when none did.
ALTER TABLE registrations ADD COLUMN fee_policy TEXT;

-- One code per province (its short name): rows stored under a full name (河南省) or the English
-- name (Henan) meet their province's rules again. Other names are left for an administrator.
UPDATE students SET province = '北京' WHERE province IN ('北京市', 'Beijing');
UPDATE students SET province = '天津' WHERE province IN ('天津市', 'Tianjin');
UPDATE students SET province = '河北' WHERE province IN ('河北省', 'Hebei');
UPDATE students SET province = '山西' WHERE province IN ('山西省', 'Shanxi');
UPDATE students SET province = '内蒙古' WHERE province IN ('内蒙古自治区', 'Inner Mongolia');
UPDATE students SET province = '辽宁' WHERE province IN ('辽宁省', 'Liaoning');
UPDATE students SET province = '吉林' WHERE province IN ('吉林省', 'Jilin');
UPDATE students SET province = '黑龙江' WHERE province IN ('黑龙江省', 'Heilongjiang');
UPDATE students SET province = '上海' WHERE province IN ('上海市', 'Shanghai');
UPDATE students SET province = '江苏' WHERE province IN ('江苏省', 'Jiangsu');
UPDATE students SET province = '浙江' WHERE province IN ('浙江省', 'Zhejiang');
UPDATE students SET province = '安徽' WHERE province IN ('安徽省', 'Anhui');
UPDATE students SET province = '福建' WHERE province IN ('福建省', 'Fujian');
UPDATE students SET province = '江西' WHERE province IN ('江西省', 'Jiangxi');
UPDATE students SET province = '山东' WHERE province IN ('山东省', 'Shandong');
UPDATE students SET province = '河南' WHERE province IN ('河南省', 'Henan');
UPDATE students SET province = '湖北' WHERE province IN ('湖北省', 'Hubei');
UPDATE students SET province = '湖南' WHERE province IN ('湖南省', 'Hunan');
UPDATE students SET province = '广东' WHERE province IN ('广东省', 'Guangdong');
UPDATE students SET province = '广西' WHERE province IN ('广西壮族自治区', 'Guangxi', '广西自治区');
UPDATE students SET province = '海南' WHERE province IN ('海南省', 'Hainan');
UPDATE students SET province = '重庆' WHERE province IN ('重庆市', 'Chongqing');
UPDATE students SET province = '四川' WHERE province IN ('四川省', 'Sichuan');
UPDATE students SET province = '贵州' WHERE province IN ('贵州省', 'Guizhou');
UPDATE students SET province = '云南' WHERE province IN ('云南省', 'Yunnan');
UPDATE students SET province = '西藏' WHERE province IN ('西藏自治区', 'Tibet');
UPDATE students SET province = '陕西' WHERE province IN ('陕西省', 'Shaanxi');
UPDATE students SET province = '甘肃' WHERE province IN ('甘肃省', 'Gansu');
UPDATE students SET province = '青海' WHERE province IN ('青海省', 'Qinghai');
UPDATE students SET province = '宁夏' WHERE province IN ('宁夏回族自治区', 'Ningxia', '宁夏自治区');
UPDATE students SET province = '新疆' WHERE province IN ('新疆维吾尔自治区', 'Xinjiang', '新疆自治区');
UPDATE sites SET province = '北京' WHERE province IN ('北京市', 'Beijing');
UPDATE sites SET province = '天津' WHERE province IN ('天津市', 'Tianjin');
UPDATE sites SET province = '河北' WHERE province IN ('河北省', 'Hebei');
UPDATE sites SET province = '山西' WHERE province IN ('山西省', 'Shanxi');
UPDATE sites SET province = '内蒙古' WHERE province IN ('内蒙古自治区', 'Inner Mongolia');
UPDATE sites SET province = '辽宁' WHERE province IN ('辽宁省', 'Liaoning');
UPDATE sites SET province = '吉林' WHERE province IN ('吉林省', 'Jilin');
UPDATE sites SET province = '黑龙江' WHERE province IN ('黑龙江省', 'Heilongjiang');
UPDATE sites SET province = '上海' WHERE province IN ('上海市', 'Shanghai');
UPDATE sites SET province = '江苏' WHERE province IN ('江苏省', 'Jiangsu');
UPDATE sites SET province = '浙江' WHERE province IN ('浙江省', 'Zhejiang');
UPDATE sites SET province = '安徽' WHERE province IN ('安徽省', 'Anhui');
UPDATE sites SET province = '福建' WHERE province IN ('福建省', 'Fujian');
UPDATE sites SET province = '江西' WHERE province IN ('江西省', 'Jiangxi');
UPDATE sites SET province = '山东' WHERE province IN ('山东省', 'Shandong');
UPDATE sites SET province = '河南' WHERE province IN ('河南省', 'Henan');
UPDATE sites SET province = '湖北' WHERE province IN ('湖北省', 'Hubei');
UPDATE sites SET province = '湖南' WHERE province IN ('湖南省', 'Hunan');
UPDATE sites SET province = '广东' WHERE province IN ('广东省', 'Guangdong');
UPDATE sites SET province = '广西' WHERE province IN ('广西壮族自治区', 'Guangxi', '广西自治区');
UPDATE sites SET province = '海南' WHERE province IN ('海南省', 'Hainan');
UPDATE sites SET province = '重庆' WHERE province IN ('重庆市', 'Chongqing');
UPDATE sites SET province = '四川' WHERE province IN ('四川省', 'Sichuan');
UPDATE sites SET province = '贵州' WHERE province IN ('贵州省', 'Guizhou');
UPDATE sites SET province = '云南' WHERE province IN ('云南省', 'Yunnan');
UPDATE sites SET province = '西藏' WHERE province IN ('西藏自治区', 'Tibet');
UPDATE sites SET province = '陕西' WHERE province IN ('陕西省', 'Shaanxi');
UPDATE sites SET province = '甘肃' WHERE province IN ('甘肃省', 'Gansu');
UPDATE sites SET province = '青海' WHERE province IN ('青海省', 'Qinghai');
UPDATE sites SET province = '宁夏' WHERE province IN ('宁夏回族自治区', 'Ningxia', '宁夏自治区');
UPDATE sites SET province = '新疆' WHERE province IN ('新疆维吾尔自治区', 'Xinjiang', '新疆自治区');
UPDATE exam_plans SET province = '北京' WHERE province IN ('北京市', 'Beijing');
UPDATE exam_plans SET province = '天津' WHERE province IN ('天津市', 'Tianjin');
UPDATE exam_plans SET province = '河北' WHERE province IN ('河北省', 'Hebei');
UPDATE exam_plans SET province = '山西' WHERE province IN ('山西省', 'Shanxi');
UPDATE exam_plans SET province = '内蒙古' WHERE province IN ('内蒙古自治区', 'Inner Mongolia');
UPDATE exam_plans SET province = '辽宁' WHERE province IN ('辽宁省', 'Liaoning');
UPDATE exam_plans SET province = '吉林' WHERE province IN ('吉林省', 'Jilin');
UPDATE exam_plans SET province = '黑龙江' WHERE province IN ('黑龙江省', 'Heilongjiang');
UPDATE exam_plans SET province = '上海' WHERE province IN ('上海市', 'Shanghai');
UPDATE exam_plans SET province = '江苏' WHERE province IN ('江苏省', 'Jiangsu');
UPDATE exam_plans SET province = '浙江' WHERE province IN ('浙江省', 'Zhejiang');
UPDATE exam_plans SET province = '安徽' WHERE province IN ('安徽省', 'Anhui');
UPDATE exam_plans SET province = '福建' WHERE province IN ('福建省', 'Fujian');
UPDATE exam_plans SET province = '江西' WHERE province IN ('江西省', 'Jiangxi');
UPDATE exam_plans SET province = '山东' WHERE province IN ('山东省', 'Shandong');
UPDATE exam_plans SET province = '河南' WHERE province IN ('河南省', 'Henan');
UPDATE exam_plans SET province = '湖北' WHERE province IN ('湖北省', 'Hubei');
UPDATE exam_plans SET province = '湖南' WHERE province IN ('湖南省', 'Hunan');
UPDATE exam_plans SET province = '广东' WHERE province IN ('广东省', 'Guangdong');
UPDATE exam_plans SET province = '广西' WHERE province IN ('广西壮族自治区', 'Guangxi', '广西自治区');
UPDATE exam_plans SET province = '海南' WHERE province IN ('海南省', 'Hainan');
UPDATE exam_plans SET province = '重庆' WHERE province IN ('重庆市', 'Chongqing');
UPDATE exam_plans SET province = '四川' WHERE province IN ('四川省', 'Sichuan');
UPDATE exam_plans SET province = '贵州' WHERE province IN ('贵州省', 'Guizhou');
UPDATE exam_plans SET province = '云南' WHERE province IN ('云南省', 'Yunnan');
UPDATE exam_plans SET province = '西藏' WHERE province IN ('西藏自治区', 'Tibet');
UPDATE exam_plans SET province = '陕西' WHERE province IN ('陕西省', 'Shaanxi');
UPDATE exam_plans SET province = '甘肃' WHERE province IN ('甘肃省', 'Gansu');
UPDATE exam_plans SET province = '青海' WHERE province IN ('青海省', 'Qinghai');
UPDATE exam_plans SET province = '宁夏' WHERE province IN ('宁夏回族自治区', 'Ningxia', '宁夏自治区');
UPDATE exam_plans SET province = '新疆' WHERE province IN ('新疆维吾尔自治区', 'Xinjiang', '新疆自治区');

-- Seed 002 names the dimensions of certificate quality feedback: 社会认可度, 证书内容质量 and
-- 学习效果. Feedback given on the earlier questions (content quality, usefulness for jobs, exam
-- organisation) is kept as it was in feedback_v1; students rate again on the new questions.
ALTER TABLE feedback RENAME TO feedback_v1;

CREATE TABLE feedback (
    student_no TEXT NOT NULL REFERENCES students (student_no),
    certificate_id TEXT NOT NULL,
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    social_recognition BIGINT NOT NULL CHECK (social_recognition BETWEEN 1 AND 5),
    content_quality BIGINT NOT NULL CHECK (content_quality BETWEEN 1 AND 5),
    learning_effect BIGINT NOT NULL CHECK (learning_effect BETWEEN 1 AND 5),
    comment TEXT,
    client_id TEXT NOT NULL,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (student_no, certificate_id, level),
    UNIQUE (student_no, client_id)
);

CREATE INDEX feedback_by_certificate_level ON feedback (certificate_id, level);

-- The requests applied so far are kept as they were in feedback_requests_v1; one sent again has the
-- old questions' fields and is refused as malformed, so it cannot overwrite a new answer.
ALTER TABLE feedback_requests RENAME TO feedback_requests_v1;

CREATE TABLE feedback_requests (
    student_no TEXT NOT NULL REFERENCES students (student_no),
    client_id TEXT NOT NULL,
    certificate_id TEXT NOT NULL,
    level BIGINT NOT NULL CHECK (level BETWEEN 1 AND 3),
    social_recognition BIGINT NOT NULL,
    content_quality BIGINT NOT NULL,
    learning_effect BIGINT NOT NULL,
    comment TEXT,
    received_at BIGINT NOT NULL,
    PRIMARY KEY (student_no, client_id)
);
